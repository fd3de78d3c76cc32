using System.Globalization;
using System.Text;
using PgBackupTools.Engine.Retention;

namespace PgBackupTools.Tests.Retention;

/// <summary>
/// One input of the planner in the property tests. ToString is what FsCheck prints as the counterexample, so it
/// shows the policy on one line and one line per backup.
/// </summary>
public sealed record RetentionScenario(IReadOnlyList<RetentionCandidate> History, RetentionPolicy Policy, DateTimeOffset Now)
{
    public IReadOnlyList<RetentionDecision> Decide() => RetentionPlanner.Decide(History, Policy, Now);

    /// <summary>The same history with no Failed verification and a size check that flags nothing.</summary>
    public RetentionScenario WithNothingSuspicious() => this with
    {
        Policy = Policy with { SuspiciousSizeRatio = 0 },
        History = History.Select(b => b.VerificationStatus == VerificationOutcome.Failed ? b with { VerificationStatus = null } : b).ToList(),
    };

    public override string ToString()
    {
        var p = Policy;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"now {Format(Now)}; keep last {p.KeepLast}, daily {p.KeepDaily}, weekly {p.KeepWeekly}, monthly {p.KeepMonthly}, yearly {p.KeepYearly}, ");
        text.Append(CultureInfo.InvariantCulture,
            $"within {p.KeepWithin?.ToString() ?? "-"}, zone {p.TimeZone.Id}, grace {p.IncompleteGracePeriod}, suspicious below {p.SuspiciousSizeRatio} x median of {p.SizeBaselineCount}");
        foreach (var b in History)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {b.Server} {b.Database} {b.Id} {Format(b.StartTime)} {b.Status} {b.SizeBytes} B");
            if (b.VerificationStatus is { } verification)
            {
                text.Append(CultureInfo.InvariantCulture, $" verification {verification}");
            }

            if (b.BeingRead)
            {
                text.Append(" being read");
            }
        }

        return text.ToString();
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
