using FsCheck.Xunit;
using PgBackupTools.Engine.Retention;
using Xunit;

namespace PgBackupTools.Tests.Retention;

/// <summary>
/// Invariants of the planner over FsCheck-generated histories (<see cref="RetentionArbitraries"/>). A failure prints
/// the shrunk scenario and the seed to replay it with [Property(Replay = "...")].
/// </summary>
[Properties(Arbitrary = new[] { typeof(RetentionArbitraries) }, MaxTest = 1000)]
public class RetentionPlannerPropertyTests
{
    [Property]
    public void EveryBackupGetsExactlyOneDecision(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);

        Assert.Equal(scenario.History.Select(b => b.Id).Order(StringComparer.Ordinal), outcome.Decisions.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    [Property]
    public void EveryDecisionGivesAReason(RetentionScenario scenario)
    {
        Assert.All(new RetentionOutcome(scenario).Decisions, d => Assert.NotEmpty(d.Reasons));
    }

    [Property]
    public void TheNewestCompleteBackupOfEachDatabaseIsKept(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var database in outcome.Databases)
        {
            if (outcome.CompleteNewestFirst(database).FirstOrDefault() is { } newest)
            {
                Assert.Contains(RetentionReasons.NewestComplete, outcome[newest].Reasons);
                Assert.True(outcome.IsKept(newest), $"the newest complete backup {newest.Id} was removed");
            }
        }
    }

    [Property]
    public void TheNewestVerifiedBackupAndEveryCompleteBackupAfterItAreKept(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var database in outcome.Databases)
        {
            var complete = outcome.CompleteNewestFirst(database);
            var newestPassed = complete.FindIndex(b => b.VerificationStatus == VerificationOutcome.Passed);
            foreach (var backup in complete.Take(newestPassed + 1))
            {
                Assert.True(outcome.IsKept(backup), $"{backup.Id} is the newest verified backup or newer, and was removed");
            }
        }
    }

    [Property]
    public void RunningBackupsAndBackupsBeingReadAreKept(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var backup in scenario.History.Where(b => b.Status == BackupStatus.InProgress || b.BeingRead))
        {
            Assert.True(outcome.IsKept(backup), $"{backup.Id} ({backup.Status}, being read: {backup.BeingRead}) was removed");
        }
    }

    [Property]
    public void FutureDatedBackupsAreKeptAndFillNoBucket(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var backup in scenario.History.Where(outcome.IsFutureDated))
        {
            var decision = outcome[backup];
            Assert.Equal(RetentionAction.Keep, decision.Action);
            Assert.Contains(RetentionReasons.FutureDated, decision.Reasons);
            Assert.DoesNotContain(decision.Reasons, r => r == RetentionReasons.NewestComplete);
            Assert.Empty(RetentionOutcome.Buckets(decision));
        }
    }

    [Property]
    public void AbandonedRunsAreRemovedExactlyWhenTheirGracePeriodIsOver(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var run in scenario.History.Where(b => b.Status == BackupStatus.Incomplete && !outcome.IsFutureDated(b)))
        {
            var expired = scenario.Now - run.StartTime > scenario.Policy.IncompleteGracePeriod;
            Assert.Equal(expired ? RetentionAction.Remove : RetentionAction.Keep, outcome[run].Action);
        }
    }

    [Property]
    public void OnlyCompleteBackupsThatAreNotSuspiciousFillBuckets(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var backup in scenario.History)
        {
            var decision = outcome[backup];
            var failedVerification = backup.VerificationStatus == VerificationOutcome.Failed;
            if (failedVerification && backup.Status == BackupStatus.Complete && !outcome.IsFutureDated(backup))
            {
                Assert.Contains("suspicious: verification failed", decision.Reasons);
            }

            if (RetentionOutcome.Buckets(decision).Any())
            {
                Assert.Equal(BackupStatus.Complete, backup.Status);
                Assert.False(RetentionOutcome.IsSuspicious(decision), $"{backup.Id} is suspicious but fills a bucket: {string.Join("; ", decision.Reasons)}");
                Assert.False(failedVerification, $"{backup.Id} failed verification but fills a bucket");
            }
        }
    }

    /// <summary>
    /// The size check, seen from the result: a backup that fills a bucket (and has not Passed verification) is at
    /// least SuspiciousSizeRatio times the median of the kept, not suspicious backups before it.
    /// </summary>
    [Property]
    public void BucketsAreNotFilledByBackupsMuchSmallerThanTheRecentMedian(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var database in outcome.Databases)
        {
            var trustedSizes = new List<long>();
            var oldestFirst = outcome.CompleteNewestFirst(database.Where(outcome.IsKept));
            oldestFirst.Reverse();
            foreach (var backup in oldestFirst)
            {
                var decision = outcome[backup];
                if (RetentionOutcome.Buckets(decision).Any() && backup.VerificationStatus != VerificationOutcome.Passed && trustedSizes.Count > 0)
                {
                    var median = Median(trustedSizes.TakeLast(scenario.Policy.SizeBaselineCount));
                    Assert.True(backup.SizeBytes >= scenario.Policy.SuspiciousSizeRatio * median,
                        $"{backup.Id} ({backup.SizeBytes} B) fills a bucket although the recent median is {median} B");
                }

                if (!RetentionOutcome.IsSuspicious(decision))
                {
                    trustedSizes.Add(backup.SizeBytes);
                }
            }
        }
    }

    [Property]
    public void NoMoreBucketsAreKeptThanThePolicyAllowsAndEachByOneBackup(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var database in outcome.Databases)
        {
            var buckets = database.Where(outcome.IsKept).SelectMany(b => RetentionOutcome.Buckets(outcome[b])).ToList();
            foreach (var label in buckets.GroupBy(b => b.Label))
            {
                var keys = label.Select(b => b.Key).ToList();
                Assert.True(keys.Count <= outcome.BucketLimit(label.Key), $"{keys.Count} {label.Key} buckets kept in {database.Key}, the policy allows {outcome.BucketLimit(label.Key)}");
                Assert.Equal(keys.Count, keys.Distinct().Count());
            }
        }
    }

    /// <summary>
    /// Among the backups kept, each bucket is filled by its newest one that is not suspicious. (Over the whole history
    /// this need not hold: removing a backup can make a newer one suspicious, see docs/retention.md.)
    /// </summary>
    [Property]
    public void AmongTheKeptBackupsEachBucketIsFilledByItsNewestTrustedOne(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        foreach (var database in outcome.Databases)
        {
            AssertEachBucketIsFilledByItsNewest(outcome, outcome.CompleteNewestFirst(database.Where(outcome.IsKept)));
        }
    }

    /// <summary>With nothing suspicious, verdicts cannot change as backups go, so no newer backup of a bucket is ever removed.</summary>
    [Property]
    public void WithoutSuspiciousBackupsEachBucketIsFilledByItsNewestBackup(RetentionScenario anyScenario)
    {
        var outcome = new RetentionOutcome(anyScenario.WithNothingSuspicious());
        foreach (var database in outcome.Databases)
        {
            AssertEachBucketIsFilledByItsNewest(outcome, outcome.CompleteNewestFirst(database));
        }
    }

    [Property]
    public void PlanningTheKeptSetAgainRemovesNothing(RetentionScenario scenario)
    {
        var kept = new RetentionOutcome(scenario).Kept.ToList();

        var again = new RetentionOutcome(scenario with { History = kept });

        var removed = again.Decisions.Where(d => d.Action == RetentionAction.Remove).Select(d => d.Id).ToList();
        Assert.True(removed.Count == 0, $"a second run removed {string.Join(", ", removed)}");
    }

    /// <summary>
    /// Nothing is removed that the kept backups could keep alongside them: put back any one removed complete backup
    /// and planning again removes something. (Abandoned runs go by age alone, see the property above.)
    /// </summary>
    [Property]
    public void NoRemovedBackupCouldHaveBeenKept(RetentionScenario scenario)
    {
        var outcome = new RetentionOutcome(scenario);
        var kept = outcome.Kept.ToList();
        foreach (var removed in outcome.CompleteNewestFirst(scenario.History).Where(b => !outcome.IsKept(b)))
        {
            var again = new RetentionOutcome(scenario with { History = [.. kept, removed] });
            Assert.True(again.Decisions.Any(d => d.Action == RetentionAction.Remove), $"{removed.Id} was removed, but the kept backups keep it when it is put back: {string.Join("; ", again[removed].Reasons)}");
        }
    }

    private static void AssertEachBucketIsFilledByItsNewest(RetentionOutcome outcome, List<RetentionCandidate> completeNewestFirst)
    {
        foreach (var (holder, index) in completeNewestFirst.Select((b, i) => (b, i)))
        {
            foreach (var (label, key) in RetentionOutcome.Buckets(outcome[holder]))
            {
                Assert.Equal(key, outcome.BucketKey(label, holder));
                foreach (var newer in completeNewestFirst.Take(index).Where(b => outcome.BucketKey(label, b) == key))
                {
                    Assert.True(RetentionOutcome.IsSuspicious(outcome[newer]), $"{holder.Id} fills {label} {key} although the newer {newer.Id} in that bucket is not suspicious");
                }
            }
        }
    }

    private static double Median(IEnumerable<long> sizes)
    {
        var sorted = sizes.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + (double)sorted[middle]) / 2;
    }
}
