namespace PgBackupTools;

/// <summary>A cluster restored from a physical backup (Restore-PgBackup -Type Physical).</summary>
public sealed record PhysicalRestoreResult
{
    public required string BackupId { get; init; }
    public required string TargetPath { get; init; }

    /// <summary>What recovery was asked to reach, e.g. "time 2026-12-03 10:15:00+00:00".</summary>
    public required string Target { get; init; }

    public required TimeSpan Duration { get; init; }
    public long Files { get; init; }
    public long Bytes { get; init; }

    /// <summary>True when recovery ran (-Start): the fields below say what it reached.</summary>
    public bool Recovered { get; init; }

    /// <summary>True when the restored server is running now.</summary>
    public bool Running { get; init; }

    public int? Port { get; init; }
    public string? ReachedLsn { get; init; }

    /// <summary>Commit time of the last transaction replayed.</summary>
    public DateTimeOffset? ReachedTime { get; init; }

    public uint? Timeline { get; init; }
    public required string RestoreCommand { get; init; }
}
