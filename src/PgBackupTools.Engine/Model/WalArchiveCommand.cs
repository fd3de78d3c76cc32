namespace PgBackupTools;

/// <summary>What to put in postgresql.conf so a server archives its WAL into a repository (Get-PgWalArchiveCommand).</summary>
public sealed record WalArchiveCommand
{
    public required string Repository { get; init; }

    /// <summary>The archive_command value, exactly.</summary>
    public required string ArchiveCommand { get; init; }

    /// <summary>The matching restore_command value, for recovery and standbys.</summary>
    public required string RestoreCommand { get; init; }

    /// <summary>The pgbt-wal executable the commands run; the server's OS account must be able to run it.</summary>
    public required string ToolPath { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>Environment the server process needs (PGBACKUPTOOLS_PASSPHRASE for a passphrase repository), or null.</summary>
    public string? RequiredEnvironment { get; init; }

    /// <summary>SQL that applies the settings (archive_mode needs a server restart, archive_command a reload).</summary>
    public required string AlterSystemSql { get; init; }
}
