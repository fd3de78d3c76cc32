using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Everything Invoke-PgBackup -Type Logical needs.</summary>
public sealed record BackupRequest
{
    public required string Repository { get; init; }
    public KeySource? Key { get; init; }
    public required PgConnectionSettings Connection { get; init; }
    public CompressionSettings Compression { get; init; } = CompressionSettings.Default;
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>How long to wait for another backup of the same database to finish before failing.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;
}
