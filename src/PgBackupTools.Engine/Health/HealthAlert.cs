using PgBackupTools.Engine.Notify;

namespace PgBackupTools.Engine.Health;

/// <summary>Turns a health report into the alert that Get-PgBackupHealth -Notify sends (one key per repository).</summary>
public static class HealthAlert
{
    public static Alert From(HealthReport report) => new()
    {
        Severity = report.Status switch
        {
            HealthStatus.OK => AlertSeverity.OK,
            HealthStatus.Warning => AlertSeverity.Warning,
            HealthStatus.Critical => AlertSeverity.Critical,
            _ => AlertSeverity.Unknown,
        },
        Title = $"Backups in {report.Repository}: {report.Status}",
        Text = report.Status == HealthStatus.OK
            ? "Every check is OK."
            : string.Join(Environment.NewLine, report.Checks.Where(c => c.Status != HealthStatus.OK).Select(c => $"{c.Status}: {Subject(c)}: {c.Message}")),
        Facts = report.Checks.Where(c => c.Status != HealthStatus.OK).Select(c => new AlertFact(Subject(c), $"{c.Status} ({c.Value})")).ToList(),
        Time = report.CheckedAt,
        Key = "health:" + report.Repository,
    };

    private static string Subject(HealthCheck check) => check.Database is null ? check.Name : $"{check.Database}: {check.Name}";
}
