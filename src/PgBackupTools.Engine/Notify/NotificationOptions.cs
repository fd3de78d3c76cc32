namespace PgBackupTools.Engine.Notify;

/// <summary>De-duplication settings for one Notifier.SendAsync call.</summary>
public sealed record NotificationOptions
{
    /// <summary>State file; null means no de-duplication.</summary>
    public string? StatePath { get; init; }

    public TimeSpan RepeatAfter { get; init; } = NotificationConfig.DefaultRepeatAfter;

    /// <summary>Send even when de-duplication would hold the alert back.</summary>
    public bool Force { get; init; }
}
