using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Postgres;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Everything Test-PgBackup needs. Without a scratch server the default level is Checksum, else Restore.</summary>
public sealed record VerificationRequest
{
    public required string Repository { get; init; }
    public KeySource? Key { get; init; }
    public required BackupSelector Backup { get; init; }
    public VerificationLevel? Level { get; init; }

    /// <summary>Where a Restore-level check restores to; required for that level.</summary>
    public PgConnectionSettings? Scratch { get; init; }

    /// <summary>A trial restore loads the server it runs on, so using the backup's own server must be asked for.</summary>
    public bool AllowSourceServer { get; init; }

    public int Jobs { get; init; } = 1;

    /// <summary>Physical backups at level Restore: pgbt-wal for restore_command, and the key file it unlocks the repository with.</summary>
    public string? WalToolPath { get; init; }

    public string? KeyFilePath { get; init; }

    /// <summary>Where a physical trial recovery puts its temporary cluster (it needs about the cluster's size); the temp folder when null.</summary>
    public string? ScratchPath { get; init; }

    public VerificationLevel EffectiveLevel => Level ?? (Scratch is null ? VerificationLevel.Checksum : VerificationLevel.Restore);
}
