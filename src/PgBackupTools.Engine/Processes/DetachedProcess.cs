using System.Globalization;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Processes;

/// <summary>A process started by <see cref="DetachedProcess"/>.</summary>
/// <param name="ProcessId">Its id.</param>
/// <param name="EndsWithJob">
/// Windows only: this process runs inside a job object that forbids leaving it, so the new process ends when that job
/// is closed or terminated (Task Scheduler does so when the task's time limit passes or it is stopped).
/// </param>
public sealed record DetachedProcessStart(int ProcessId, bool EndsWithJob = false);

/// <summary>
/// Starts a program that outlives this process and everything around it: the terminal, the PowerShell session, the
/// console window, the scheduled task. stdin is empty; stdout and stderr are appended to a log file, and whatever the
/// program starts writes there too.
/// </summary>
public static class DetachedProcess
{
    public static async Task<DetachedProcessStart> StartAsync(
        string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, string logPath, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            return WindowsDetachedProcess.Start(program, arguments, environment, logPath);
        }

        return new DetachedProcessStart(await StartUnixAsync(program, arguments, environment, logPath, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>In the background of a shell that exits at once, in a new session (setsid where it exists): no SIGHUP reaches it.</summary>
    private static async Task<int> StartUnixAsync(
        string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, string logPath, CancellationToken cancellationToken)
    {
        const string Script = """
            log="$1"; shift
            if command -v setsid >/dev/null 2>&1; then
                setsid "$@" </dev/null >>"$log" 2>&1 &
            else
                nohup "$@" </dev/null >>"$log" 2>&1 &
            fi
            echo $!
            """;
        var options = new ChildProcessOptions("/bin/sh", ["-c", Script, "sh", logPath, program, .. arguments]) { Environment = environment };
        var result = await ChildProcess.RunToCompletionAsync(options, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 || !int.TryParse(result.StandardOutput.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            throw StartFailed(program, $"exit {result.ExitCode}: {result.StandardError.Trim()}");
        }

        return pid;
    }

    internal static PgBackupException StartFailed(string program, string reason, Exception? inner = null) =>
        new("ProcessStartFailed", ErrorKind.InvalidOperation, $"Could not start '{program}' in the background ({reason}).", inner) { Target = program };
}
