namespace PgBackupTools;

/// <summary>Nagios order: the exit code of a check is the status' number.</summary>
public enum HealthStatus
{
    OK = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

/// <summary>One health check: what was measured, against which threshold, and what it means.</summary>
public sealed record HealthCheck(string Name, string? Database, HealthStatus Status, string? Value, string? Threshold, string Message);

/// <summary>What Get-PgBackupHealth found. ExitCode follows the Nagios convention (0 OK, 1 Warning, 2 Critical, 3 Unknown).</summary>
public sealed record HealthReport
{
    public required string Repository { get; init; }
    public required HealthStatus Status { get; init; }
    public required IReadOnlyList<HealthCheck> Checks { get; init; }
    public DateTimeOffset CheckedAt { get; init; }
    public DateTimeOffset? LastBackup { get; init; }
    public DateTimeOffset? LastVerification { get; init; }
    public long? FreeSpaceBytes { get; init; }

    public int ExitCode => (int)Status;

    public static HealthStatus Worst(IEnumerable<HealthCheck> checks)
    {
        var statuses = checks.Select(c => c.Status).ToList();
        if (statuses.Contains(HealthStatus.Critical))
        {
            return HealthStatus.Critical;
        }

        if (statuses.Contains(HealthStatus.Unknown))
        {
            return HealthStatus.Unknown;
        }

        return statuses.Contains(HealthStatus.Warning) ? HealthStatus.Warning : HealthStatus.OK;
    }
}
