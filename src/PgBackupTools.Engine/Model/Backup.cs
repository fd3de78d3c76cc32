namespace PgBackupTools;

/// <summary>One backup in a repository, as users see it (Get-PgBackup, Invoke-PgBackup).</summary>
public sealed record Backup
{
    public required string Id { get; init; }
    public required string Database { get; init; }
    public required string Server { get; init; }
    public required BackupType Type { get; init; }
    public required BackupStatus Status { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public TimeSpan? Duration { get; init; }

    /// <summary>Bytes stored in the repository (compressed and encrypted).</summary>
    public long SizeBytes { get; init; }

    /// <summary>Bytes pg_dump produced before compression.</summary>
    public long RawSizeBytes { get; init; }

    public long DatabaseSizeBytes { get; init; }
    public double? CompressionRatio { get; init; }
    public string Compression { get; init; } = "";
    public bool Encrypted { get; init; }
    public string? KeyId { get; init; }
    public string? ServerVersion { get; init; }
    public string? PgDumpVersion { get; init; }
    public int TableCount { get; init; }
    public long TotalRows { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? ToolVersion { get; init; }
    public string? MachineName { get; init; }
    public required string Repository { get; init; }
    public required string Path { get; init; }

    /// <summary>When Test-PgBackup last checked this backup, and what it found (null: never verified).</summary>
    public DateTimeOffset? LastVerified { get; init; }

    public VerificationStatus? VerificationStatus { get; init; }
    public VerificationLevel? VerificationLevel { get; init; }

    /// <summary>Physical backups: the WAL range the backup needs, and the earliest time it restores to.</summary>
    public string? StartLsn { get; init; }

    public string? StopLsn { get; init; }
    public uint? Timeline { get; init; }
    public string? SystemIdentifier { get; init; }
    public DateTimeOffset? ConsistentAt { get; init; }
}

public enum BackupType
{
    Logical,
    Physical,
}

public enum BackupStatus
{
    /// <summary>Committed: every file written, hashed, fsynced and listed by the manifest.</summary>
    Complete,

    /// <summary>Still being written by a live process (its lock is held).</summary>
    InProgress,

    /// <summary>Left behind by a run that died; never restorable, removed by retention.</summary>
    Incomplete,
}
