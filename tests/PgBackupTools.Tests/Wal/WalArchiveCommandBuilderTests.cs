using System.Diagnostics;
using System.Text;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Wal;
using PgBackupTools.Tests.Crypto;
using Xunit;

namespace PgBackupTools.Tests.Wal;

/// <summary>archive_command / restore_command: PostgreSQL replaces %p, %f and %%, then hands the string to /bin/sh (cmd.exe on Windows).</summary>
public sealed class WalArchiveCommandBuilderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Theory]
    [InlineData("/usr/local/bin/pgbt-wal")]
    [InlineData("/srv/backups/repo-1.2_x+y:z,w")]
    [InlineData("relative/path")]
    public void Plain_posix_paths_stay_unquoted(string path)
    {
        Assert.Equal(path, WalArchiveCommandBuilder.Quote(path, windows: false));
    }

    [Theory]
    [InlineData("/srv/my backups", "'/srv/my backups'")]
    [InlineData("/srv/it's", "'/srv/it'\\''s'")]
    [InlineData("/srv/$HOME/`x`", "'/srv/$HOME/`x`'")]
    [InlineData("/srv/100%", "'/srv/100%%'")]
    [InlineData("/srv/a%pb", "'/srv/a%%pb'")]
    [InlineData("/srv/\"q\"", "'/srv/\"q\"'")]
    [InlineData("", "''")]
    public void Posix_paths_with_shell_characters_are_single_quoted_and_percent_doubled(string path, string expected)
    {
        Assert.Equal(expected, WalArchiveCommandBuilder.Quote(path, windows: false));
    }

    [Theory]
    [InlineData(@"C:\Program Files\PgBackupTools\pgbt-wal.exe", "\"C:\\Program Files\\PgBackupTools\\pgbt-wal.exe\"")]
    [InlineData(@"D:\backups", "\"D:\\backups\"")]
    [InlineData(@"D:\it's", "\"D:\\it's\"")]
    public void Windows_paths_are_double_quoted(string path, string expected)
    {
        Assert.Equal(expected, WalArchiveCommandBuilder.Quote(path, windows: true));
    }

    [Fact]
    public void A_windows_path_with_a_percent_sign_is_refused_because_cmd_would_expand_it() =>
        Assert.Contains("expand", Assert.Throws<PgBackupException>(() => WalArchiveCommandBuilder.Quote(@"D:\x%USERNAME%y", windows: true)).Message, StringComparison.Ordinal);

    [Fact]
    public void Windows_refuses_a_path_with_a_double_quote()
    {
        var error = Assert.Throws<PgBackupException>(() => WalArchiveCommandBuilder.Quote("D:\\a\"b", windows: true));
        Assert.Contains("double quote", error.Message, StringComparison.Ordinal);
        Assert.Throws<PgBackupException>(() => WalArchiveCommandBuilder.Build("pgbt-wal", "D:\\a\"b", null, false, WalToolOptions.DefaultCompression, windows: true));
    }

    [Fact]
    public void Posix_commands_with_key_file()
    {
        var command = WalArchiveCommandBuilder.Build("/usr/bin/pgbt-wal", "/srv/repo", "/etc/pgbt/repo.key", passphrase: false, WalToolOptions.DefaultCompression, windows: false);

        Assert.Equal("/usr/bin/pgbt-wal archive-push --repository /srv/repo --key-file /etc/pgbt/repo.key %p %f", command.ArchiveCommand);
        Assert.Equal("/usr/bin/pgbt-wal archive-get --repository /srv/repo --key-file /etc/pgbt/repo.key %f %p", command.RestoreCommand);
        Assert.Equal("/srv/repo", command.Repository);
        Assert.Equal("/usr/bin/pgbt-wal", command.ToolPath);
        Assert.Equal("/etc/pgbt/repo.key", command.KeyFile);
        Assert.Null(command.RequiredEnvironment);
    }

    [Fact]
    public void Without_key_file_there_is_no_key_file_option()
    {
        var command = WalArchiveCommandBuilder.Build("pgbt-wal", "/srv/repo", null, passphrase: false, WalToolOptions.DefaultCompression, windows: false);

        Assert.Equal("pgbt-wal archive-push --repository /srv/repo %p %f", command.ArchiveCommand);
        Assert.Equal("pgbt-wal archive-get --repository /srv/repo %f %p", command.RestoreCommand);
        Assert.DoesNotContain("--key-file", command.ArchiveCommand, StringComparison.Ordinal);
        Assert.Null(command.KeyFile);
    }

    [Fact]
    public void System_id_is_passed_to_both_commands()
    {
        var command = WalArchiveCommandBuilder.Build("pgbt-wal", "/r", null, false, WalToolOptions.DefaultCompression, false, systemIdentifier: "7301234567890123456");

        Assert.Equal("pgbt-wal archive-push --repository /r --system-id 7301234567890123456 %p %f", command.ArchiveCommand);
        Assert.Equal("pgbt-wal archive-get --repository /r --system-id 7301234567890123456 %f %p", command.RestoreCommand);
    }

    [Fact]
    public void Non_default_compression_is_only_on_the_archive_command()
    {
        var gzip = WalArchiveCommandBuilder.Build("pgbt-wal", "/r", null, false, CompressionSettings.Create(CompressionAlgorithm.Gzip, 9), false);
        var zstd7 = WalArchiveCommandBuilder.Build("pgbt-wal", "/r", null, false, CompressionSettings.Create(CompressionAlgorithm.Zstd, 7), false);
        var none = WalArchiveCommandBuilder.Build("pgbt-wal", "/r", null, false, CompressionSettings.Create(CompressionAlgorithm.None, null), false);

        Assert.Equal("pgbt-wal archive-push --repository /r --compression gzip --level 9 %p %f", gzip.ArchiveCommand);
        Assert.Equal("pgbt-wal archive-push --repository /r --compression zstd --level 7 %p %f", zstd7.ArchiveCommand);
        Assert.Equal("pgbt-wal archive-push --repository /r --compression none %p %f", none.ArchiveCommand);
        Assert.Equal("pgbt-wal archive-get --repository /r %f %p", gzip.RestoreCommand);
        Assert.DoesNotContain("--compression", WalArchiveCommandBuilder.Build("pgbt-wal", "/r", null, false, CompressionSettings.Create(CompressionAlgorithm.Zstd, 1), false).ArchiveCommand, StringComparison.Ordinal);
        Assert.Contains("--compression zstd --level 3", WalArchiveCommandBuilder.Build("pgbt-wal", "/r", null, false, CompressionSettings.Default, false).ArchiveCommand, StringComparison.Ordinal);
    }

    [Fact]
    public void Passphrase_repository_names_the_environment_variable_and_puts_no_secret_in_the_command()
    {
        var command = WalArchiveCommandBuilder.Build("pgbt-wal", "/r", null, passphrase: true, WalToolOptions.DefaultCompression, false);

        Assert.NotNull(command.RequiredEnvironment);
        Assert.StartsWith(WalToolOptions.PassphraseVariable + "=", command.RequiredEnvironment, StringComparison.Ordinal);
        Assert.Equal("pgbt-wal archive-push --repository /r %p %f", command.ArchiveCommand);
    }

    [Fact]
    public void Windows_commands_quote_every_path_and_the_placeholders()
    {
        var command = WalArchiveCommandBuilder.Build(
            @"C:\Program Files\PgBackupTools\pgbt-wal.exe", @"D:\backups\pg", @"D:\keys\repo.key", false, WalToolOptions.DefaultCompression, windows: true);

        Assert.Equal(
            "\"C:\\Program Files\\PgBackupTools\\pgbt-wal.exe\" archive-push --repository \"D:\\backups\\pg\" --key-file \"D:\\keys\\repo.key\" \"%p\" \"%f\"",
            command.ArchiveCommand);
        Assert.Equal(
            "\"C:\\Program Files\\PgBackupTools\\pgbt-wal.exe\" archive-get --repository \"D:\\backups\\pg\" --key-file \"D:\\keys\\repo.key\" \"%f\" \"%p\"",
            command.RestoreCommand);
    }

    [Fact]
    public void Alter_system_sql_doubles_single_quotes()
    {
        var command = WalArchiveCommandBuilder.Build("pgbt-wal", "/srv/it's", null, false, WalToolOptions.DefaultCompression, false);

        Assert.Equal("pgbt-wal archive-push --repository '/srv/it'\\''s' %p %f", command.ArchiveCommand);
        Assert.Equal(
            "ALTER SYSTEM SET archive_mode = 'on';\nALTER SYSTEM SET archive_command = 'pgbt-wal archive-push --repository ''/srv/it''\\''''s'' %p %f';\nSELECT pg_reload_conf();  -- archive_mode takes effect after a restart",
            command.AlterSystemSql);
    }

    [Fact]
    public void Archive_command_run_through_sh_passes_every_path_intact()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var toolDirectory = Path.Combine(_temp.Path, "tool dir 'x' 100%");
        Directory.CreateDirectory(toolDirectory);
        var tool = Path.Combine(toolDirectory, "fake pgbt-wal");
        var output = Path.Combine(_temp.Path, "argv.txt");
        File.WriteAllText(tool, $"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{output}'\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        const string repository = "/srv/my backups/it's \"the\" 100% $HOME `id` repo %p";
        const string keyFile = "/etc/pgbt/key file's 50%.key";
        var command = WalArchiveCommandBuilder.Build(tool, repository, keyFile, false, CompressionSettings.Create(CompressionAlgorithm.Gzip, 5), windows: false, systemIdentifier: "7301234567890123456");

        RunLikePostgres(command.ArchiveCommand, "pg_wal/000000010000000000000003", "000000010000000000000003");
        Assert.Equal(
            ["archive-push", "--repository", repository, "--key-file", keyFile, "--system-id", "7301234567890123456", "--compression", "gzip", "--level", "5", "pg_wal/000000010000000000000003", "000000010000000000000003"],
            File.ReadAllLines(output));

        RunLikePostgres(command.RestoreCommand, "pg_wal/RECOVERYXLOG", "000000010000000000000004");
        Assert.Equal(
            ["archive-get", "--repository", repository, "--key-file", keyFile, "--system-id", "7301234567890123456", "000000010000000000000004", "pg_wal/RECOVERYXLOG"],
            File.ReadAllLines(output));
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>As PostgreSQL's replace_percent_placeholders: %p, %f and %% are replaced, any other % is kept; then system() runs /bin/sh -c.</summary>
    private static void RunLikePostgres(string template, string path, string fileName)
    {
        var command = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '%' && i + 1 < template.Length && template[i + 1] is 'p' or 'f' or '%')
            {
                command.Append(template[i + 1] switch { 'p' => path, 'f' => fileName, _ => "%" });
                i++;
            }
            else
            {
                command.Append(template[i]);
            }
        }

        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command.ToString());
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "sh did not finish");
        Assert.True(process.ExitCode == 0, $"sh -c {command} failed ({process.ExitCode}): {error}");
    }
}
