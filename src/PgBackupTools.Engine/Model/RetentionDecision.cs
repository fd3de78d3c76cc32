namespace PgBackupTools;

/// <summary>What retention decided for one backup (Remove-PgBackupExpired), and why.</summary>
public sealed record RetentionDecision
{
    public required string Id { get; init; }
    public required string Database { get; init; }
    public string Server { get; init; } = "";
    public DateTimeOffset StartTime { get; init; }
    public long SizeBytes { get; init; }
    public required BackupStatus Status { get; init; }
    public required RetentionAction Action { get; init; }

    /// <summary>Why it is kept ("daily 2026-11-24", "newest complete", ...) or removed, plus warnings such as "suspicious: ...".</summary>
    public required IReadOnlyList<string> Reasons { get; init; }
}

public enum RetentionAction
{
    Keep,
    Remove,
}
