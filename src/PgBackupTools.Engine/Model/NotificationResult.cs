using PgBackupTools.Engine.Notify;

namespace PgBackupTools;

public enum NotificationStatus
{
    Sent,
    Suppressed,
    Failed,
}

/// <summary>What happened to an alert on one channel (Send-PgBackupNotification). Detail never holds a secret.</summary>
public sealed record NotificationResult
{
    public required string Channel { get; init; }

    public required NotificationStatus Status { get; init; }

    /// <summary>New, Repeat or Recovery when sent; Suppressed when de-duplication held it back.</summary>
    public required AlertKind Kind { get; init; }

    public required string Detail { get; init; }

    public TimeSpan Duration { get; init; }

    public required string AlertKey { get; init; }

    public required string Title { get; init; }

    public required AlertSeverity Severity { get; init; }
}
