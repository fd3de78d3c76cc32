using System.Diagnostics;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Tests.Infrastructure;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>Runs pg_dump against the test server and returns its standard output.</summary>
internal static class ArchiveScannerPgDump
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <param name="format">pg_dump's --format: "custom" for the archives under test, "plain" for a non-archive.</param>
    public static async Task<byte[]> DumpAsync(PostgresServerFixture server, string database, string format = "custom")
    {
        var startInfo = new ProcessStartInfo(await FindToolAsync(server, PgToolNames.PgDump))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--host", server.Host, "--port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--username", server.Username, "--no-password", $"--format={format}", "--compress=0", database,
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["PGPASSWORD"] = server.Password;

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("pg_dump did not start.");
        using var timeout = new CancellationTokenSource(Timeout);
        using var output = new MemoryStream();
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardOutput.BaseStream.CopyToAsync(output, timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"pg_dump exited with {process.ExitCode}: {await stderr}");
        return output.ToArray();
    }

    /// <summary>A client tool of the server's major version: the fixture's own binaries, else the newest installed.</summary>
    public static async Task<string> FindToolAsync(PostgresServerFixture server, string name)
    {
        if (server.BinDirectory is not null)
        {
            var local = Path.Combine(server.BinDirectory, OperatingSystem.IsWindows() ? name + ".exe" : name);
            if (File.Exists(local))
                return local;
        }

        var tool = await new PgToolLocator().FindAsync(name, server.ServerMajorVersion);
        return tool.Path;
    }
}
