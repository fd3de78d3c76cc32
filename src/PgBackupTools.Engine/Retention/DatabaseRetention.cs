namespace PgBackupTools.Engine.Retention;

/// <summary>
/// Decides the backups of one database (one server and database name): applies <see cref="RetentionPass"/> until
/// a pass removes nothing, then puts back every removed backup that the survivors keep without losing one of theirs.
/// </summary>
internal sealed class DatabaseRetention
{
    private readonly RetentionPolicy _policy;
    private readonly DateTimeOffset _now;
    private readonly List<(RetentionCandidate Candidate, RetentionDecision Decision)> _removed = [];
    private readonly HashSet<RetentionCandidate> _suspiciousWhenRemoved = new(ReferenceEqualityComparer.Instance);
    private List<(RetentionCandidate Candidate, RetentionDecision Decision)> _kept = [];
    private Dictionary<RetentionCandidate, string> _suspicious = new(ReferenceEqualityComparer.Instance);
    private bool _verdictsChanged;

    private DatabaseRetention(RetentionPolicy policy, DateTimeOffset now)
    {
        _policy = policy;
        _now = now;
    }

    public static List<(RetentionCandidate Candidate, RetentionDecision Decision)> Decide(
        IReadOnlyList<RetentionCandidate> database, RetentionPolicy policy, DateTimeOffset now)
    {
        var retention = new DatabaseRetention(policy, now);
        retention.RemoveUntilNothingMoreGoes(database);
        retention.PutBack();
        return [.. retention._kept, .. retention._removed];
    }

    // Which backups look suspicious depends on their neighbours, so the survivors of one pass could decide
    // differently. At the fixed point, a second run removes nothing.
    private void RemoveUntilNothingMoreGoes(IReadOnlyList<RetentionCandidate> database)
    {
        var active = database;
        for (var first = true; ; first = false)
        {
            var counted = RetentionPass.CountedTowardBuckets(active, _now);
            var suspicious = SuspiciousBackups.Find(counted, _policy);
            _verdictsChanged |= !first && !SameVerdicts(counted, _suspicious, suspicious);
            _suspicious = suspicious;
            var pass = RetentionPass.Run(active, _policy, _now).ToList();
            _kept = pass.Where(p => p.Decision.Action == RetentionAction.Keep).ToList();
            if (_kept.Count == pass.Count)
            {
                return;
            }

            var removedNow = pass.Where(p => p.Decision.Action == RetentionAction.Remove).ToList();
            _removed.AddRange(removedNow);
            _suspiciousWhenRemoved.UnionWith(removedNow.Select(r => r.Candidate).Where(suspicious.ContainsKey));
            active = _kept.Select(k => k.Candidate).ToList();
        }
    }

    /// <summary>
    /// The passes can remove a backup and only later find that the one that took its bucket is suspicious without
    /// it (its size baseline went with it), leaving that bucket empty. Each removed backup, newest first, goes back
    /// when a pass over the survivors and it keeps them all.
    /// </summary>
    private void PutBack()
    {
        for (var changed = true; changed;)
        {
            changed = false;
            _removed.Sort((a, b) => RetentionPass.NewestFirst(a.Candidate, b.Candidate));
            var survivors = RetentionPass.CountedTowardBuckets(_kept.Select(k => k.Candidate), _now);
            foreach (var candidate in _removed.Select(r => r.Candidate).Where(c => RetentionPass.CountsTowardBuckets(c, _now)).ToList())
            {
                var counted = Inserted(survivors, candidate);
                var suspicious = SuspiciousBackups.Find(counted, _policy);
                if (!MayKeep(candidate, survivors, suspicious))
                {
                    continue;
                }

                List<RetentionCandidate> trial = [.. _kept.Select(k => k.Candidate), candidate];
                if (RetentionPass.KeepsAll(trial, _policy, _now))
                {
                    _kept = RetentionPass.Run(trial, _policy, _now).ToList();
                    _removed.RemoveAll(r => ReferenceEquals(r.Candidate, candidate));
                    survivors = counted;
                    _suspicious = suspicious;
                    _verdictsChanged = true;
                    changed = true;
                }
            }
        }
    }

    /// <summary>
    /// A cheap test that rules out most trials. A removed backup can only come back through a bucket (every other
    /// rule that keeps a backup would have kept it in the first place), so it must count toward buckets and not be
    /// suspicious now. And while no verdict changes (in the passes, for the candidate, or for the survivors with the
    /// candidate back), each bucket stays with the backup that first filled it, so the candidate cannot take one.
    /// </summary>
    private bool MayKeep(RetentionCandidate candidate, List<RetentionCandidate> survivors, Dictionary<RetentionCandidate, string> suspicious) =>
        !suspicious.ContainsKey(candidate)
        && (_verdictsChanged || _suspiciousWhenRemoved.Contains(candidate) || !SameVerdicts(survivors, _suspicious, suspicious));

    private static List<RetentionCandidate> Inserted(List<RetentionCandidate> newestFirst, RetentionCandidate candidate)
    {
        var result = new List<RetentionCandidate>(newestFirst.Count + 1);
        result.AddRange(newestFirst);
        var index = result.BinarySearch(candidate, RetentionPass.NewestFirstComparer);
        result.Insert(index < 0 ? ~index : index, candidate);
        return result;
    }

    private static bool SameVerdicts(List<RetentionCandidate> backups, Dictionary<RetentionCandidate, string> before, Dictionary<RetentionCandidate, string> after) =>
        backups.TrueForAll(b => before.ContainsKey(b) == after.ContainsKey(b));
}
