using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Physical;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Everything Restore-PgBackup -Type Physical needs.</summary>
public sealed record PhysicalRestoreRequest
{
    public required string Repository { get; init; }
    public KeySource? Key { get; init; }

    /// <summary>The key file path for restore_command (the key itself never goes into the configuration).</summary>
    public string? KeyFilePath { get; init; }

    public required string TargetPath { get; init; }
    public RecoveryTarget Target { get; init; } = RecoveryTarget.Latest;

    /// <summary>A specific base backup; null picks the newest one that is consistent before the target.</summary>
    public string? BackupId { get; init; }

    /// <summary>Which cluster, when the repository holds physical backups of several.</summary>
    public string? SystemIdentifier { get; init; }

    public int? Port { get; init; }
    public bool Start { get; init; }
    public bool KeepArchiving { get; init; }
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromHours(4);

    /// <summary>pgbt-wal, which restore_command runs.</summary>
    public required string WalToolPath { get; init; }
}
