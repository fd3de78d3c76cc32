using PgBackupTools.Engine.Retention;
using Xunit;

namespace PgBackupTools.Tests.Retention;

/// <summary>Invariants of the planner over many random histories (seeded, so a failure names its seed).</summary>
public class RetentionPlannerPropertyTests
{
    private const int Iterations = 1500;
    private static readonly string[] BucketLabels = ["daily", "weekly", "monthly", "yearly"];

    [Fact]
    public void InvariantsHoldForRandomHistories()
    {
        for (var seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var now = RetentionHistories.Now;
            var history = RetentionHistories.Random(random, now);
            var policy = RetentionHistories.RandomPolicy(random);
            var decisions = RetentionPlanner.Decide(history, policy, now);
            try
            {
                AssertInvariants(history, policy, now, decisions);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"Invariant broken for seed {seed}: {ex.Message}", ex);
            }
        }
    }

    [Fact]
    public void PlanningTheKeptSetAgainRemovesNothing()
    {
        for (var seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var now = RetentionHistories.Now;
            var history = RetentionHistories.Random(random, now);
            var policy = RetentionHistories.RandomPolicy(random);
            var kept = Kept(history, RetentionPlanner.Decide(history, policy, now));

            var again = RetentionPlanner.Decide(kept, policy, now);

            Assert.True(again.All(d => d.Action == RetentionAction.Keep), $"seed {seed}: a second run removed {string.Join(", ", again.Where(d => d.Action == RetentionAction.Remove).Select(d => d.Id))}");
        }
    }

    private static void AssertInvariants(List<RetentionCandidate> history, RetentionPolicy policy, DateTimeOffset now, IReadOnlyList<RetentionDecision> decisions)
    {
        Assert.Equal(history.Count, decisions.Count);
        Assert.Equal(history.Select(h => h.Id).Order(), decisions.Select(d => d.Id).Order());
        var byId = decisions.ToDictionary(d => d.Id);
        foreach (var database in history.GroupBy(h => (h.Server, h.Database)))
        {
            var complete = database.Where(h => h.Status == BackupStatus.Complete && h.StartTime <= now).OrderByDescending(h => h.StartTime).ToList();
            if (complete.Count > 0)
            {
                Assert.Equal(RetentionAction.Keep, byId[complete[0].Id].Action);
            }

            var newestPassed = complete.FindIndex(h => h.VerificationStatus == VerificationOutcome.Passed);
            foreach (var backup in complete.Take(newestPassed + 1))
            {
                Assert.Equal(RetentionAction.Keep, byId[backup.Id].Action);
            }

            var kept = database.Select(h => byId[h.Id]).Where(d => d.Action == RetentionAction.Keep).ToList();
            foreach (var (label, limit) in BucketLabels.Zip(new[] { policy.KeepDaily, policy.KeepWeekly, policy.KeepMonthly, policy.KeepYearly }))
            {
                var keys = kept.SelectMany(d => d.Reasons).Where(r => r.StartsWith(label + " ", StringComparison.Ordinal)).ToList();
                Assert.True(keys.Count <= limit, $"{keys.Count} {label} buckets kept, policy allows {limit}");
                Assert.Equal(keys.Count, keys.Distinct().Count());
            }
        }

        foreach (var backup in history)
        {
            var decision = byId[backup.Id];
            if (backup.StartTime > now)
            {
                Assert.Equal(RetentionAction.Keep, decision.Action);
                Assert.Contains(RetentionReasons.FutureDated, decision.Reasons);
                Assert.DoesNotContain(decision.Reasons, r => BucketLabels.Any(l => r.StartsWith(l + " ", StringComparison.Ordinal)));
            }

            if (backup.Status == BackupStatus.InProgress)
            {
                Assert.Equal(RetentionAction.Keep, decision.Action);
            }

            if (backup.Status == BackupStatus.Incomplete && backup.StartTime <= now)
            {
                var expired = now - backup.StartTime > policy.IncompleteGracePeriod;
                Assert.Equal(expired ? RetentionAction.Remove : RetentionAction.Keep, decision.Action);
            }

            if (decision.Reasons.Any(r => r.StartsWith("suspicious", StringComparison.Ordinal)))
            {
                Assert.DoesNotContain(decision.Reasons, r => BucketLabels.Any(l => r.StartsWith(l + " ", StringComparison.Ordinal)));
            }

            if (backup.VerificationStatus == VerificationOutcome.Failed && backup.StartTime <= now)
            {
                Assert.Contains("suspicious: verification failed", decision.Reasons);
            }

            Assert.NotEmpty(decision.Reasons);
        }
    }

    private static List<RetentionCandidate> Kept(List<RetentionCandidate> history, IReadOnlyList<RetentionDecision> decisions)
    {
        var kept = decisions.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Id).ToHashSet();
        return history.Where(h => kept.Contains(h.Id)).ToList();
    }
}
