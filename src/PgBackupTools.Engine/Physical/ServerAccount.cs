using System.Runtime.InteropServices;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Processes;

namespace PgBackupTools.Engine.Physical;

/// <summary>
/// The OS account a restored server runs as. PostgreSQL refuses to run as root, so when this process is root
/// (a scheduled task, a CI job) the server runs as the conventional "postgres" account, which then owns the
/// restored files; otherwise it runs as the current user.
/// </summary>
public sealed class ServerAccount
{
    public const string ConventionalName = "postgres";

    private ServerAccount(string? runAs) => RunAs = runAs;

    /// <summary>The account to switch to, or null to run as the current user.</summary>
    public string? RunAs { get; }

    public static ServerAccount Current() => new(IsRoot() ? ConventionalName : null);

    /// <summary>Hands a directory tree to the server's account (no-op when the server runs as the current user).</summary>
    public async Task GiveAsync(string path, CancellationToken cancellationToken)
    {
        if (RunAs is null)
        {
            return;
        }

        var result = await ChildProcess.RunToCompletionAsync(new ChildProcessOptions("chown", ["-R", RunAs + ":", "--", path]), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new PgBackupException(
                "ServerAccountMissing",
                ErrorKind.InvalidOperation,
                $"Running as root, the restored server must run as '{RunAs}', but '{path}' could not be given to it: {result.StandardError.Trim()} Create the account (it comes with the PostgreSQL server package) or run as the account that should own the cluster.")
            { Target = path };
        }
    }

    /// <summary>
    /// Refuses before anything is extracted when the server's account could not run restore_command: it must
    /// read the repository and the key file and run pgbt-wal, or recovery would fail on its first segment.
    /// </summary>
    public async Task RequireAccessAsync(IEnumerable<(string Path, string Test)> paths, CancellationToken cancellationToken)
    {
        if (RunAs is null)
        {
            return;
        }

        foreach (var (path, test) in paths)
        {
            var result = await ChildProcess.RunToCompletionAsync(new ChildProcessOptions("runuser", ["-u", RunAs, "--", "test", test, path]), cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new PgBackupException(
                    "ServerAccountCannotReadRepository",
                    ErrorKind.PermissionDenied,
                    $"Running as root, the restored server runs as '{RunAs}', and its restore_command (pgbt-wal) must {(test == "-x" ? "run" : "read")} '{path}', which '{RunAs}' cannot. Give '{RunAs}' access (for example chown -R {RunAs}: on a repository only this server uses, or a shared group with mode 0750/0640), or run Restore-PgBackup as the account that owns the repository. Nothing was extracted.")
                { Target = path };
            }
        }
    }

    /// <summary>Wraps a program so it runs as the server's account.</summary>
    public ChildProcessOptions Command(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment) =>
        RunAs is null
            ? new ChildProcessOptions(program, arguments) { Environment = environment }
            : new ChildProcessOptions("runuser", new[] { "-u", RunAs, "--", program }.Concat(arguments)) { Environment = environment };

    private static bool IsRoot() => !OperatingSystem.IsWindows() && geteuid() == 0;

    [DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
