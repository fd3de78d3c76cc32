namespace PgBackupTools.Engine.Health;

/// <summary>The requirement's thresholds by default: backup age 6 h / 25 h, free space 5 GB / 1 GB.</summary>
public sealed record HealthThresholds
{
    public TimeSpan WarningAge { get; init; } = TimeSpan.FromHours(6);
    public TimeSpan CriticalAge { get; init; } = TimeSpan.FromHours(25);
    public long WarningFreeSpaceBytes { get; init; } = 5L * 1024 * 1024 * 1024;
    public long CriticalFreeSpaceBytes { get; init; } = 1L * 1024 * 1024 * 1024;

    /// <summary>A verification older than this is a warning: backups should be proven regularly.</summary>
    public TimeSpan VerificationMaxAge { get; init; } = TimeSpan.FromDays(8);

    /// <summary>Newest backup below this fraction of the recent median (or above its inverse) is an anomaly.</summary>
    public double SizeAnomalyRatio { get; init; } = 0.5;

    /// <summary>Age of the newest archived WAL segment (the measured RPO); the requirement is RPO under 1 hour.</summary>
    public TimeSpan WalWarningAge { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan WalCriticalAge { get; init; } = TimeSpan.FromHours(1);
}
