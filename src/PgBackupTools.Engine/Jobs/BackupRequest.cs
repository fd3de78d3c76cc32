using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Everything Invoke-PgBackup needs; the last group applies to -Type Physical only.</summary>
public sealed record BackupRequest
{
    public required string Repository { get; init; }
    public KeySource? Key { get; init; }
    public required PgConnectionSettings Connection { get; init; }
    public CompressionSettings Compression { get; init; } = CompressionSettings.Default;
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>How long to wait for another backup of the same database to finish before failing.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    /// <summary>Checkpoint at once instead of spreading it over checkpoint_timeout (faster start, an I/O burst on the server).</summary>
    public bool FastCheckpoint { get; init; }

    /// <summary>Put the WAL needed for consistency into the backup (pg_basebackup -X fetch): restorable without the archive.</summary>
    public bool IncludeWal { get; init; }

    /// <summary>
    /// kB/s, to cap the load on the server; null: unlimited. Physical: MAX_RATE of BASE_BACKUP (pg_basebackup
    /// --max-rate). Logical: how fast pg_dump's output is read, which pg_dump and its server follow.
    /// </summary>
    public int? MaxRateKilobytesPerSecond { get; init; }

    /// <summary>
    /// Compress the base backup here (pg_basebackup's plain tar) instead of on the server: spares the server's CPU
    /// when the network between them is fast, at the cost of sending the data uncompressed.
    /// </summary>
    public bool CompressOnClient { get; init; }

    /// <summary>How long to wait after the backup for its WAL to arrive in the repository's archive.</summary>
    public TimeSpan WalTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
