using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Retention;

/// <summary>
/// Decides which backups a policy keeps. Pure: the same facts, policy and time give the same decisions, and
/// nothing is read or written. See docs/retention.md for the rules.
/// </summary>
public static class RetentionPlanner
{
    /// <returns>One decision per candidate, newest first.</returns>
    public static IReadOnlyList<RetentionDecision> Decide(IEnumerable<RetentionCandidate> candidates, RetentionPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Validate(policy);
        var active = candidates.ToList();
        var removed = new List<(RetentionCandidate Candidate, RetentionDecision Decision)>();

        // Applied until nothing more goes: which backups look suspicious depends on their neighbours, so the
        // survivors of one pass could decide differently. At the fixed point, a second run removes nothing.
        while (true)
        {
            var pass = active
                .GroupBy(c => (c.Server, c.Database))
                .SelectMany(g => RetentionPass.Run(g.ToList(), policy, now))
                .ToList();
            var removedNow = pass.Where(p => p.Decision.Action == RetentionAction.Remove).ToList();
            if (removedNow.Count == 0)
            {
                return pass.Concat(removed)
                    .OrderBy(p => p.Candidate, Comparer<RetentionCandidate>.Create(RetentionPass.NewestFirst))
                    .Select(p => p.Decision)
                    .ToList();
            }

            removed.AddRange(removedNow);
            active = pass.Where(p => p.Decision.Action == RetentionAction.Keep).Select(p => p.Candidate).ToList();
        }
    }

    private static void Validate(RetentionPolicy policy)
    {
        if (policy.KeepLast < 0 || policy.KeepDaily < 0 || policy.KeepWeekly < 0 || policy.KeepMonthly < 0 || policy.KeepYearly < 0
            || policy.KeepWithin < TimeSpan.Zero || policy.IncompleteGracePeriod < TimeSpan.Zero)
        {
            throw new PgBackupException(
                "RetentionPolicyInvalid",
                ErrorKind.InvalidArgument,
                "Retention counts and periods cannot be negative.");
        }
    }
}
