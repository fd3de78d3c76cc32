using System.Diagnostics;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;
using PgBackupTools.Tests.Wal;

namespace PgBackupTools.WindowsChecks;

/// <summary>
/// archive_command and restore_command as Get-PgWalArchiveCommand returns them for Windows, run the way PostgreSQL
/// runs them there: %p, %f and %% replaced, then <c>cmd.exe /c "..."</c> in the data directory, with the real
/// win-x64 pgbt-wal. Paths hold spaces, so the quoting for cmd.exe is checked too.
/// </summary>
internal static class ArchiveCommandChecks
{
    public static async Task RunAsync(Checks checks, string pgbtWal, string work)
    {
        // The tool and the repository in folders with spaces, as under C:\Program Files.
        var toolFolder = Path.Combine(work, "Program Files", "PgBackupTools");
        CopyFolder(Path.GetDirectoryName(pgbtWal)!, toolFolder);
        var tool = Path.Combine(toolFolder, Path.GetFileName(pgbtWal));
        var root = Path.Combine(work, "backup root");
        Directory.CreateDirectory(root);
        var keyFile = Path.Combine(root, "repo.key");
        KeyFile.Create(keyFile);
        var repository = Path.Combine(root, "repo");
        BackupRepository.Initialize(repository, KeySource.FromKeyFile(keyFile), TimeProvider.System);

        var data = Path.Combine(work, "data");
        var pgWal = Path.Combine(data, "pg_wal");
        Directory.CreateDirectory(pgWal);
        var name = SyntheticWal.Name(1, 3);
        var segment = SyntheticWal.Segment(1, 3, seed: 1);
        await File.WriteAllBytesAsync(Path.Combine(pgWal, name), segment);

        var commands = WalArchiveCommandBuilder.Build(tool, repository, keyFile, passphrase: false, WalToolOptions.DefaultCompression, windows: true, SyntheticWal.SystemId.ToString());
        var push = await RunAsync(commands.ArchiveCommand, data, @"pg_wal\" + name, name);
        checks.That("archive_command through cmd.exe stores a segment (exit 0)", push.Code == 0, push.Output);
        var again = await RunAsync(commands.ArchiveCommand, data, @"pg_wal\" + name, name);
        checks.That("pushing the identical segment again succeeds", again.Code == 0, again.Output);

        await File.WriteAllBytesAsync(Path.Combine(pgWal, name), SyntheticWal.Segment(1, 3, seed: 2));
        var different = await RunAsync(commands.ArchiveCommand, data, @"pg_wal\" + name, name);
        checks.That("a different segment under a stored name is refused (exit not 0)", different.Code != 0, different.Output);

        var get = await RunAsync(commands.RestoreCommand, data, @"pg_wal\RECOVERYXLOG", name);
        var restored = Path.Combine(pgWal, "RECOVERYXLOG");
        checks.That("restore_command through cmd.exe brings it back (exit 0)", get.Code == 0, get.Output);
        checks.That("byte for byte the segment first stored", File.Exists(restored) && File.ReadAllBytes(restored).AsSpan().SequenceEqual(segment));

        var missing = await RunAsync(commands.RestoreCommand, data, @"pg_wal\RECOVERYXLOG", SyntheticWal.Name(1, 4));
        checks.That("restore_command of a segment not archived yet exits 1 (the end of recovery)", missing.Code == 1, missing.Output);
    }

    /// <summary>What PostgreSQL does: replace %p, %f and %%, then system(), which on Windows is cmd.exe /c "command".</summary>
    private static async Task<(int Code, string Output)> RunAsync(string command, string dataDirectory, string walPath, string walFile)
    {
        var expanded = command.Replace("%p", walPath, StringComparison.Ordinal).Replace("%f", walFile, StringComparison.Ordinal).Replace("%%", "%", StringComparison.Ordinal);
        var start = new ProcessStartInfo(Path.Combine(Environment.SystemDirectory, "cmd.exe"))
        {
            Arguments = "/c \"" + expanded + "\"",
            WorkingDirectory = dataDirectory,
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, $"{expanded}\n{await output}{await error}".Trim());
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
