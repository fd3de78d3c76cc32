namespace PgBackupTools.Engine.Retention;

/// <summary>How many backups of each database to keep. Calendar buckets are taken in <see cref="TimeZone"/>.</summary>
public sealed record RetentionPolicy
{
    public int KeepLast { get; init; } = 1;
    public int KeepDaily { get; init; } = 7;
    public int KeepWeekly { get; init; } = 4;
    public int KeepMonthly { get; init; } = 12;
    public int KeepYearly { get; init; }
    public TimeSpan? KeepWithin { get; init; }
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;

    /// <summary>An abandoned run is removed once this long has passed since it started.</summary>
    public TimeSpan IncompleteGracePeriod { get; init; } = TimeSpan.FromDays(1);

    /// <summary>A backup smaller than this share of the median of recent trusted backups is suspicious.</summary>
    public double SuspiciousSizeRatio { get; init; } = 0.5;

    /// <summary>How many preceding trusted backups form the size median.</summary>
    public int SizeBaselineCount { get; init; } = 7;
}
