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
    private IReadOnlySet<RetentionCandidate> _suspicious = new HashSet<RetentionCandidate>(ReferenceEqualityComparer.Instance);
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
            var suspicious = RetentionPass.Suspicious(active, _policy, _now);
            _verdictsChanged |= !first && !SameVerdicts(active, _suspicious, suspicious);
            _suspicious = suspicious;
            var pass = RetentionPass.Run(active, _policy, _now).ToList();
            _kept = pass.Where(p => p.Decision.Action == RetentionAction.Keep).ToList();
            if (_kept.Count == pass.Count)
            {
                return;
            }

            var removedNow = pass.Where(p => p.Decision.Action == RetentionAction.Remove).ToList();
            _removed.AddRange(removedNow);
            _suspiciousWhenRemoved.UnionWith(removedNow.Select(r => r.Candidate).Where(suspicious.Contains));
            active = _kept.Select(k => k.Candidate).ToList();
        }
    }

    /// <summary>
    /// The passes can remove a backup and only later find that the one that took its bucket is suspicious without
    /// it (its size baseline went with it), leaving that bucket empty or to an older backup. Each removed backup,
    /// newest first, goes back when a pass over the survivors and it keeps them all.
    /// </summary>
    private void PutBack()
    {
        for (var changed = true; changed;)
        {
            changed = false;
            _removed.Sort((a, b) => RetentionPass.NewestFirst(a.Candidate, b.Candidate));
            foreach (var candidate in _removed.Select(r => r.Candidate).ToList())
            {
                List<RetentionCandidate> trial = [.. _kept.Select(k => k.Candidate), candidate];
                var suspicious = RetentionPass.Suspicious(trial, _policy, _now);
                if (MayKeep(candidate, trial, suspicious) && RetentionPass.KeepsAll(trial, _policy, _now))
                {
                    _kept = RetentionPass.Run(trial, _policy, _now).ToList();
                    _suspicious = suspicious;
                    _verdictsChanged = true;
                    _removed.RemoveAll(r => ReferenceEquals(r.Candidate, candidate));
                    changed = true;
                }
            }
        }
    }

    /// <summary>
    /// A cheap test that rules out most trials. A removed backup can only come back through a bucket (every other
    /// rule that keeps a backup would have kept it in the first place), so it must not be suspicious now. And while
    /// no verdict changes (in the passes, for the candidate, or for the survivors with the candidate back), each
    /// bucket stays with the backup that first filled it, so the candidate cannot take one.
    /// </summary>
    private bool MayKeep(RetentionCandidate candidate, List<RetentionCandidate> trial, IReadOnlySet<RetentionCandidate> suspicious) =>
        !suspicious.Contains(candidate)
        && (_verdictsChanged || _suspiciousWhenRemoved.Contains(candidate) || !SameVerdicts(trial.Where(c => !ReferenceEquals(c, candidate)), _suspicious, suspicious));

    private static bool SameVerdicts(IEnumerable<RetentionCandidate> backups, IReadOnlySet<RetentionCandidate> before, IReadOnlySet<RetentionCandidate> after) =>
        backups.All(b => before.Contains(b) == after.Contains(b));
}
