using System.Globalization;
using System.Text;
using PgBackupTools.Engine.Processes;

namespace PgBackupTools.Tests.Infrastructure;

/// <summary>
/// A throwaway cluster made with initdb and started with pg_ctl in a temp folder, listening on 127.0.0.1 and a
/// private socket dir. initdb and postgres refuse to run as root, so as root everything runs as the "postgres" user.
/// </summary>
internal sealed class LocalPostgresCluster : ITestPostgresServer
{
    private const string ServiceUser = "postgres";

    private readonly string _root;
    private readonly bool _runAsServiceUser;

    private LocalPostgresCluster(string binDirectory, string root, bool runAsServiceUser)
    {
        BinDirectory = binDirectory;
        _root = root;
        _runAsServiceUser = runAsServiceUser;
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string? BinDirectory { get; }

    public string Description => $"local cluster from {BinDirectory} in {DataDirectory}";

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => Path.Combine(_root, "socket");

    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>The bin directory from PG_BIN, else the highest /usr/lib/postgresql/N/bin holding initdb; null if none.</summary>
    public static string? FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } fromEnvironment)
            return fromEnvironment;
        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot))
            return null;
        return Directory.EnumerateDirectories(debianRoot)
            .Select(d => (Dir: d, Major: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : -1))
            .Where(x => x.Major > 0 && File.Exists(Path.Combine(x.Dir, "bin", "initdb")))
            .OrderByDescending(x => x.Major)
            .Select(x => Path.Combine(x.Dir, "bin"))
            .FirstOrDefault();
    }

    public static async Task<LocalPostgresCluster> StartAsync(string binDirectory, string superuser, string password)
    {
        // No spaces in the path: pg_ctl hands the -o options to a shell.
        var root = Path.Combine(Path.GetTempPath(), "pgbt-test-" + Guid.NewGuid().ToString("N")[..12]);
        var runAsServiceUser = !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;
        var cluster = new LocalPostgresCluster(binDirectory, root, runAsServiceUser);
        try
        {
            await cluster.InitializeAsync(superuser, password);
            await cluster.StartServerAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], mustSucceed: false);
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task InitializeAsync(string superuser, string password)
    {
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(SocketDirectory);
        var passwordFile = Path.Combine(_root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password + "\n", new UTF8Encoding(false));
        if (_runAsServiceUser)
            await RunDirectAsync("chown", ["-R", ServiceUser + ":", _root]);

        await RunAsync("initdb", [
            "-D", DataDirectory, "-U", superuser, "--auth=scram-sha-256", "--pwfile=" + passwordFile,
            "-E", "UTF8", "--locale=C", "--no-sync",
        ]);
        File.Delete(passwordFile);
    }

    private async Task StartServerAsync()
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeTcpPort.Find();
            var options = string.Join(' ',
                $"-p {Port}", $"-k {SocketDirectory}", "-c listen_addresses=127.0.0.1",
                "-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off");
            var result = await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"], mustSucceed: false);
            if (result.ExitCode == 0)
                return;
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "";
            if (attempt < attempts && log.Contains("could not bind", StringComparison.Ordinal))
                continue;
            throw new InvalidOperationException(
                $"pg_ctl start failed (exit {result.ExitCode}): {result.StandardError}\nServer log:\n{log}");
        }
    }

    private Task<ChildProcessResult> RunAsync(string tool, string[] arguments, bool mustSucceed = true)
    {
        var executable = Path.Combine(BinDirectory!, tool);
        return _runAsServiceUser
            ? RunDirectAsync("runuser", ["-u", ServiceUser, "--", executable, .. arguments], mustSucceed)
            : RunDirectAsync(executable, arguments, mustSucceed);
    }

    private async Task<ChildProcessResult> RunDirectAsync(string executable, string[] arguments, bool mustSucceed = true)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var options = new ChildProcessOptions(executable, arguments)
        {
            // The service user may not be allowed into our current directory.
            WorkingDirectory = _root,
            Environment = new Dictionary<string, string?> { ["LC_ALL"] = "C" },
        };
        var result = await ChildProcess.RunToCompletionAsync(options, timeout.Token);
        if (mustSucceed && result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(executable)} {string.Join(' ', arguments.Take(2))} ... failed with exit code " +
                $"{result.ExitCode}:\n{result.StandardError}\n{result.StandardOutput}");
        }
        return result;
    }
}
