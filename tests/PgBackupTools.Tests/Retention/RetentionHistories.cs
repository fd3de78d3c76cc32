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

    /// <summary>
    /// A messy history: several databases, several backups a day, gaps of months, clock skew into the future,
    /// abandoned and running jobs, tiny "empty" dumps, and some verification results.
    /// </summary>
    public static List<RetentionCandidate> Random(Random random, DateTimeOffset now)
    {
        var result = new List<RetentionCandidate>();
        var databases = random.Next(1, 4);
        for (var d = 0; d < databases; d++)
        {
            var database = "db" + d;
            var time = now - TimeSpan.FromDays(random.Next(1, 900));
            var count = random.Next(0, 120);
            var size = random.Next(1_000, 10_000_000);
            for (var i = 0; i < count; i++)
            {
                time += random.Next(10) switch
                {
                    0 => TimeSpan.FromMinutes(random.Next(1, 600)),
                    1 => TimeSpan.FromDays(random.Next(20, 200)),
                    _ => TimeSpan.FromHours(random.Next(12, 60)),
                };
                var start = random.Next(25) == 0 ? now + TimeSpan.FromMinutes(random.Next(1, 100_000)) : time;
                var status = random.Next(20) switch
                {
                    0 => BackupStatus.Incomplete,
                    1 => BackupStatus.InProgress,
                    _ => BackupStatus.Complete,
                };
                var thisSize = random.Next(8) == 0 ? random.Next(0, 2_000) : (long)(size * (0.7 + random.NextDouble() * 0.6));
                VerificationOutcome? verification = random.Next(10) switch
                {
                    0 => VerificationOutcome.Passed,
                    1 => VerificationOutcome.Failed,
                    _ => null,
                };
                result.Add(new RetentionCandidate($"{database}-{i:D4}", database, start, status == BackupStatus.Complete ? thisSize : 0, status)
                {
                    Server = random.Next(2) == 0 ? "a:5432" : "b:5432",
                    VerificationStatus = status == BackupStatus.Complete ? verification : null,
                });
            }
        }

        return result;
    }

    public static RetentionPolicy RandomPolicy(Random random) => new()
    {
        KeepLast = random.Next(0, 4),
        KeepDaily = random.Next(0, 10),
        KeepWeekly = random.Next(0, 6),
        KeepMonthly = random.Next(0, 14),
        KeepYearly = random.Next(0, 3),
        KeepWithin = random.Next(3) == 0 ? TimeSpan.FromHours(random.Next(1, 200)) : null,
        TimeZone = random.Next(2) == 0 ? TimeZoneInfo.Utc : Berlin,
        IncompleteGracePeriod = TimeSpan.FromHours(random.Next(0, 72)),
    };

    private static TimeZoneInfo Berlin =>
        TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Berlin", out var zone) ? zone : TimeZoneInfo.CreateCustomTimeZone("plus1", TimeSpan.FromHours(1), "plus1", "plus1");

    private static string Id(DateTimeOffset start) =>
        start.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + (start.Ticks % 0xffffff).ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
}
