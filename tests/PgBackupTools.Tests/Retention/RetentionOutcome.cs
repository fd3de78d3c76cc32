using PgBackupTools.Engine.Retention;

namespace PgBackupTools.Tests.Retention;

/// <summary>A scenario with the planner's decisions, and the questions the property tests ask about them.</summary>
internal sealed class RetentionOutcome
{
    private static readonly string[] BucketLabels = ["daily", "weekly", "monthly", "yearly"];
    private readonly Dictionary<string, RetentionDecision> _byId;

    public RetentionOutcome(RetentionScenario scenario)
    {
        Scenario = scenario;
        Decisions = scenario.Decide();
        _byId = Decisions.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.First());
    }

    public RetentionScenario Scenario { get; }

    public IReadOnlyList<RetentionDecision> Decisions { get; }

    public RetentionPolicy Policy => Scenario.Policy;

    public RetentionDecision this[RetentionCandidate backup] => _byId[backup.Id];

    public bool IsKept(RetentionCandidate backup) => this[backup].Action == RetentionAction.Keep;

    public IEnumerable<IGrouping<(string Server, string Database), RetentionCandidate>> Databases =>
        Scenario.History.GroupBy(b => (b.Server, b.Database));

    public IEnumerable<RetentionCandidate> Kept => Scenario.History.Where(IsKept);

    public bool IsFutureDated(RetentionCandidate backup) => backup.StartTime > Scenario.Now;

    /// <summary>The backups that count toward buckets, in the planner's order: newest start time first, then the greater id.</summary>
    public List<RetentionCandidate> CompleteNewestFirst(IEnumerable<RetentionCandidate> backups) =>
        backups.Where(b => b.Status == BackupStatus.Complete && !IsFutureDated(b))
            .OrderByDescending(b => b.StartTime)
            .ThenByDescending(b => b.Id, StringComparer.Ordinal)
            .ToList();

    public static bool IsSuspicious(RetentionDecision decision) =>
        decision.Reasons.Any(r => r.StartsWith("suspicious", StringComparison.Ordinal));

    /// <summary>The calendar buckets a decision says the backup fills, e.g. ("weekly", "2026-W47").</summary>
    public static IEnumerable<(string Label, string Key)> Buckets(RetentionDecision decision) =>
        from reason in decision.Reasons
        from bucket in BucketLabels
        where reason.StartsWith(bucket + " ", StringComparison.Ordinal)
        select (bucket, reason[(bucket.Length + 1)..]);

    /// <summary>The bucket the backup's start time falls in, in the policy's time zone.</summary>
    public string BucketKey(string label, RetentionCandidate backup) =>
        RetentionBucket.For(Policy).Single(b => b.Label == label).Key(TimeZoneInfo.ConvertTime(backup.StartTime, Policy.TimeZone).DateTime);

    public int BucketLimit(string label) => RetentionBucket.For(Policy).Single(b => b.Label == label).Keep;
}
