using PgBackupTools.Engine.Retention;

namespace PgBackupTools.Tests.Retention;

/// <summary>Synthetic backup histories for the planner tests.</summary>
internal static class RetentionHistories
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static RetentionCandidate Complete(DateTimeOffset start, long size = 1_000_000, string database = "shop", VerificationOutcome? verification = null) =>
        new(Id(start), database, start, size, BackupStatus.Complete) { Server = "db01:5432", VerificationStatus = verification };

    public static RetentionCandidate Run(DateTimeOffset start, BackupStatus status, string database = "shop") =>
        new(Id(start), database, start, 0, status) { Server = "db01:5432" };

    /// <summary>One complete backup a day at 02:00 UTC, the first on <paramref name="first"/>.</summary>
    public static List<RetentionCandidate> Daily(DateOnly first, int days, long size = 1_000_000) =>
        Enumerable.Range(0, days)
            .Select(i => Complete(new DateTimeOffset(first.AddDays(i).ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero), size))
            .ToList();

    private static string Id(DateTimeOffset start) =>
        start.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + (start.Ticks % 0xffffff).ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
}
