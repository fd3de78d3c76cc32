using PgBackupTools.Engine.Notify;

namespace PgBackupTools.Tests.Notify;

internal static class TestAlerts
{
    public static Alert Critical(string key = "health:repo-1") => new()
    {
        Severity = AlertSeverity.Critical,
        Title = "Backup of shop is 26 h old",
        Text = "The newest backup of 'shop' is older than 24 h <check> & fix.",
        Facts = [new AlertFact("Database", "shop"), new AlertFact("Backup age", "26 h"), new AlertFact("Free space", "12 GB")],
        Source = "db01",
        Time = new DateTimeOffset(2025, 3, 1, 6, 0, 0, TimeSpan.Zero),
        Key = key,
    };
}
