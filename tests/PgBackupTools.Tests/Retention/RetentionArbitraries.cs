using FsCheck;
using FsCheck.Fluent;
using PgBackupTools.Engine.Retention;

namespace PgBackupTools.Tests.Retention;

/// <summary>
/// FsCheck generators of messy backup histories: several databases (some sharing a name on two servers), several
/// backups a day, gaps of months, clock skew into the future, abandoned and running jobs, tiny "empty" dumps,
/// verification Passed/Failed/none, backups being read, and random policies including count-only ones.
/// </summary>
public static class RetentionArbitraries
{
    public static Arbitrary<RetentionScenario> Scenario() => Arb.From(Scenarios, RetentionScenarioShrinker.Shrink);

    private static Gen<RetentionScenario> Scenarios =>
        from databases in Gen.Choose(1, 3)
        from histories in Gen.CollectToList(Enumerable.Range(0, databases).Select(History))
        from policy in Policies
        select new RetentionScenario(histories.SelectMany(h => h).ToList(), policy, RetentionHistories.Now);

    /// <summary>One database's backups, walked back in time from shortly before now, newest first.</summary>
    private static Gen<List<RetentionCandidate>> History(int stream) =>
        from server in Gen.Elements("a:5432", "b:5432")
        from database in Gen.Elements("db0", "db1")
        from lastRun in Gen.Frequency((4, Gen.Choose(0, 3 * 24 * 60)), (1, Gen.Choose(0, 400 * 24 * 60)))
        from typicalSize in Gen.Choose(1_000, 10_000_000)
        from runs in Gen.Sized(size => Gen.Choose(0, size * 7 / 10)).SelectMany(count => Runs.ListOf(count))
        select Place(runs, $"s{stream}", server, database, RetentionHistories.Now.AddMinutes(-lastRun), typicalSize);

    private static List<RetentionCandidate> Place(IEnumerable<Run> runs, string stream, string server, string database, DateTimeOffset newest, long typicalSize)
    {
        var result = new List<RetentionCandidate>();
        var time = newest;
        foreach (var (run, index) in runs.Select((r, i) => (r, i)))
        {
            var start = run.SkewMinutes is { } skew ? RetentionHistories.Now.AddMinutes(skew) : time;
            var size = run.Status != BackupStatus.Complete ? 0 : run.TinySize ?? typicalSize * run.SizePercent / 100;
            result.Add(new RetentionCandidate($"{stream}-{index:D3}", database, start, size, run.Status)
            {
                Server = server,
                VerificationStatus = run.Verification,
                BeingRead = run.BeingRead,
            });
            time -= run.GapBefore;
        }

        return result;
    }

    /// <summary>What one job run left behind; <see cref="GapBefore"/> is the time since the run before it.</summary>
    private sealed record Run(
        TimeSpan GapBefore, int? SkewMinutes, BackupStatus Status, int SizePercent, long? TinySize, VerificationOutcome? Verification, bool BeingRead);

    private static Gen<Run> Runs =>
        from gap in Gen.Frequency(
            (1, Gen.Constant(TimeSpan.Zero)),                                   // same minute: ties on start time
            (6, Gen.Choose(1, 600).Select(m => TimeSpan.FromMinutes(m))),       // several a day
            (11, Gen.Choose(12, 60).Select(h => TimeSpan.FromHours(h))),        // about daily
            (2, Gen.Choose(20, 200).Select(d => TimeSpan.FromDays(d))))         // gaps of months
        from skew in Gen.Frequency((19, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 100_000).Select(m => (int?)m)))
        from status in Gen.Frequency(
            (17, Gen.Constant(BackupStatus.Complete)), (2, Gen.Constant(BackupStatus.Incomplete)), (1, Gen.Constant(BackupStatus.InProgress)))
        from sizePercent in Gen.Choose(70, 130)
        from tiny in Gen.Frequency((7, Gen.Constant<long?>(null)), (1, Gen.Choose(0, 2_000).Select(s => (long?)s)))
        from verification in Gen.Frequency(
            (8, Gen.Constant<VerificationOutcome?>(null)),
            (1, Gen.Constant<VerificationOutcome?>(VerificationOutcome.Passed)),
            (1, Gen.Constant<VerificationOutcome?>(VerificationOutcome.Failed)))
        from beingRead in Gen.Frequency((29, Gen.Constant(false)), (1, Gen.Constant(true)))
        let complete = status == BackupStatus.Complete
        select new Run(gap, skew, status, sizePercent, tiny, complete ? verification : null, complete && beingRead);

    private static Gen<RetentionPolicy> Policies =>
        from calendar in Gen.Frequency((4, CalendarCounts), (1, Gen.Constant((Daily: 0, Weekly: 0, Monthly: 0, Yearly: 0))))
        from last in Gen.Choose(0, 5)
        from within in Gen.Frequency((2, Gen.Constant<TimeSpan?>(null)), (1, Gen.Choose(1, 200).Select(h => (TimeSpan?)TimeSpan.FromHours(h))))
        from zone in Gen.Elements(TimeZoneInfo.Utc, Berlin)
        from graceHours in Gen.Choose(0, 72)
        from ratio in Gen.Elements(0.5, 0.1, 0.9)
        from baseline in Gen.Choose(1, 10)
        select new RetentionPolicy
        {
            KeepLast = last,
            KeepDaily = calendar.Daily,
            KeepWeekly = calendar.Weekly,
            KeepMonthly = calendar.Monthly,
            KeepYearly = calendar.Yearly,
            KeepWithin = within,
            TimeZone = zone,
            IncompleteGracePeriod = TimeSpan.FromHours(graceHours),
            SuspiciousSizeRatio = ratio,
            SizeBaselineCount = baseline,
        };

    private static Gen<(int Daily, int Weekly, int Monthly, int Yearly)> CalendarCounts =>
        from daily in Gen.Choose(0, 9)
        from weekly in Gen.Choose(0, 5)
        from monthly in Gen.Choose(0, 13)
        from yearly in Gen.Choose(0, 2)
        select (daily, weekly, monthly, yearly);

    // A zone with daylight saving time, so local days are 23 or 25 hours long twice a year.
    private static TimeZoneInfo Berlin =>
        TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Berlin", out var zone) ? zone : TimeZoneInfo.CreateCustomTimeZone("plus1", TimeSpan.FromHours(1), "plus1", "plus1");
}
