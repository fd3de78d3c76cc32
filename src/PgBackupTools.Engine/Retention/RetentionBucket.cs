using System.Globalization;

namespace PgBackupTools.Engine.Retention;

/// <summary>A calendar granularity: how many of its buckets to keep and how a local time maps to a bucket name.</summary>
internal sealed record RetentionBucket(string Label, int Keep, Func<DateTime, string> Key)
{
    public static IReadOnlyList<RetentionBucket> For(RetentionPolicy policy) =>
    [
        new("daily", policy.KeepDaily, t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        new("weekly", policy.KeepWeekly, t => string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(t):D4}-W{ISOWeek.GetWeekOfYear(t):D2}")),
        new("monthly", policy.KeepMonthly, t => t.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
        new("yearly", policy.KeepYearly, t => t.ToString("yyyy", CultureInfo.InvariantCulture)),
    ];
}
