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
        return candidates
            .GroupBy(c => (c.Server, c.Database))
            .SelectMany(g => DatabaseRetention.Decide(g.ToList(), policy, now))
            .OrderBy(p => p.Candidate, RetentionPass.NewestFirstComparer)
            .Select(p => p.Decision)
            .ToList();
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
