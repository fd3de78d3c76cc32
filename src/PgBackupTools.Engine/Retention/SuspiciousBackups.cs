using System.Globalization;

namespace PgBackupTools.Engine.Retention;

/// <summary>
/// Finds complete backups that must not fill a calendar bucket: a failed verification, or a size far below the
/// median of the preceding trusted backups (an "empty dump" after a broken job). Flagged backups are left out
/// of the baseline, so a run of empty dumps stays flagged; a Passed verification overrides the size check.
/// </summary>
internal static class SuspiciousBackups
{
    /// <param name="newestFirst">Complete, not future-dated backups of one database, newest first.</param>
    /// <returns>The flagged backups, each with its note.</returns>
    public static Dictionary<RetentionCandidate, string> Find(IReadOnlyList<RetentionCandidate> newestFirst, RetentionPolicy policy)
    {
        var flagged = new Dictionary<RetentionCandidate, string>(ReferenceEqualityComparer.Instance);
        var trustedSizes = new List<long>();
        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            var backup = newestFirst[i];
            if (backup.VerificationStatus == VerificationOutcome.Failed)
            {
                flagged[backup] = "suspicious: verification failed";
                continue;
            }

            if (backup.VerificationStatus != VerificationOutcome.Passed && trustedSizes.Count > 0)
            {
                var median = Median(trustedSizes, policy.SizeBaselineCount);
                if (backup.SizeBytes < policy.SuspiciousSizeRatio * median)
                {
                    var share = median == 0 ? 0 : (double)backup.SizeBytes / median;
                    flagged[backup] = string.Create(CultureInfo.InvariantCulture, $"suspicious: size {share:P0} of recent median");
                    continue;
                }
            }

            trustedSizes.Add(backup.SizeBytes);
        }

        return flagged;
    }

    private static double Median(List<long> sizes, int window)
    {
        var count = Math.Min(window, sizes.Count);
        var recent = new long[count];
        sizes.CopyTo(sizes.Count - count, recent, 0, count);
        Array.Sort(recent);
        var middle = recent.Length / 2;
        return recent.Length % 2 == 1 ? recent[middle] : (recent[middle - 1] + (double)recent[middle]) / 2;
    }
}
