using PgBackupTools.Engine.Retention;

namespace PgBackupTools.Tests.Retention;

/// <summary>
/// Smaller and plainer variants of a failing scenario, tried in order: fewer backups (halves first, down to single
/// ones), then a simpler policy, then plainer backups. Backups keep their start times and ids when others are
/// dropped, so the shrunk counterexample is a subset of the original history.
/// </summary>
internal static class RetentionScenarioShrinker
{
    public static IEnumerable<RetentionScenario> Shrink(RetentionScenario scenario) =>
        FewerBackups(scenario.History).Select(h => scenario with { History = h })
            .Concat(SimplerPolicies(scenario.Policy).Select(p => scenario with { Policy = p }))
            .Concat(PlainerBackups(scenario.History, scenario.Now).Select(h => scenario with { History = h }));

    private static IEnumerable<IReadOnlyList<RetentionCandidate>> FewerBackups(IReadOnlyList<RetentionCandidate> history)
    {
        for (var chunk = history.Count / 2; chunk >= 1; chunk /= 2)
        {
            for (var start = 0; start + chunk <= history.Count; start += chunk)
            {
                yield return history.Take(start).Concat(history.Skip(start + chunk)).ToList();
            }
        }
    }

    private static IEnumerable<RetentionPolicy> SimplerPolicies(RetentionPolicy policy)
    {
        var defaults = new RetentionPolicy();
        foreach (var (count, with) in new (int, Func<int, RetentionPolicy>)[]
        {
            (policy.KeepLast, n => policy with { KeepLast = n }),
            (policy.KeepDaily, n => policy with { KeepDaily = n }),
            (policy.KeepWeekly, n => policy with { KeepWeekly = n }),
            (policy.KeepMonthly, n => policy with { KeepMonthly = n }),
            (policy.KeepYearly, n => policy with { KeepYearly = n }),
        })
        {
            if (count > 0)
            {
                yield return with(0);
            }

            if (count > 1)
            {
                yield return with(count - 1);
            }
        }

        if (policy.KeepWithin is not null)
        {
            yield return policy with { KeepWithin = null };
        }

        if (policy.TimeZone != TimeZoneInfo.Utc)
        {
            yield return policy with { TimeZone = TimeZoneInfo.Utc };
        }

        if (policy.IncompleteGracePeriod != TimeSpan.Zero)
        {
            yield return policy with { IncompleteGracePeriod = TimeSpan.Zero };
        }

        if (policy.SuspiciousSizeRatio != defaults.SuspiciousSizeRatio || policy.SizeBaselineCount != defaults.SizeBaselineCount)
        {
            yield return policy with { SuspiciousSizeRatio = defaults.SuspiciousSizeRatio, SizeBaselineCount = defaults.SizeBaselineCount };
        }
    }

    /// <summary>One backup at a time: not verified, not being read, complete, not in the future.</summary>
    private static IEnumerable<IReadOnlyList<RetentionCandidate>> PlainerBackups(IReadOnlyList<RetentionCandidate> history, DateTimeOffset now)
    {
        for (var i = 0; i < history.Count; i++)
        {
            var backup = history[i];
            if (backup.VerificationStatus is not null)
            {
                yield return Replace(history, i, backup with { VerificationStatus = null });
            }

            if (backup.BeingRead)
            {
                yield return Replace(history, i, backup with { BeingRead = false });
            }

            if (backup.Status != BackupStatus.Complete)
            {
                yield return Replace(history, i, backup with { Status = BackupStatus.Complete });
            }

            if (backup.StartTime > now)
            {
                yield return Replace(history, i, backup with { StartTime = now });
            }
        }
    }

    private static List<RetentionCandidate> Replace(IReadOnlyList<RetentionCandidate> history, int index, RetentionCandidate replacement) =>
        history.Select((b, i) => i == index ? replacement : b).ToList();
}
