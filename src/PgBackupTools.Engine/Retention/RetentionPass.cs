namespace PgBackupTools.Engine.Retention;

/// <summary>One application of the policy to the backups of one database (one server and database name).</summary>
internal sealed class RetentionPass
{
    private readonly RetentionPolicy _policy;
    private readonly DateTimeOffset _now;
    private readonly Dictionary<RetentionCandidate, List<string>> _keep = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<RetentionCandidate, List<string>> _notes = new(ReferenceEqualityComparer.Instance);

    private RetentionPass(RetentionPolicy policy, DateTimeOffset now)
    {
        _policy = policy;
        _now = now;
    }

    public static IEnumerable<(RetentionCandidate Candidate, RetentionDecision Decision)> Run(
        IReadOnlyList<RetentionCandidate> database, RetentionPolicy policy, DateTimeOffset now)
    {
        var pass = Apply(database, policy, now);
        return database.Select(c => (c, pass.DecisionFor(c)));
    }

    /// <summary>Whether the rules keep every one of these backups; cheaper than <see cref="Run"/>, as no decision is made up.</summary>
    public static bool KeepsAll(IReadOnlyList<RetentionCandidate> database, RetentionPolicy policy, DateTimeOffset now)
    {
        var pass = Apply(database, policy, now);
        return database.All(pass._keep.ContainsKey);
    }

    private static RetentionPass Apply(IReadOnlyList<RetentionCandidate> database, RetentionPolicy policy, DateTimeOffset now)
    {
        var pass = new RetentionPass(policy, now);
        var complete = pass.ClassifyRuns(database);
        pass.ProtectNewest(complete);
        pass.ProtectUnverified(complete);
        var suspicious = SuspiciousBackups.Find(complete, policy);
        foreach (var (backup, note) in suspicious)
        {
            pass.Note(backup, note);
        }

        pass.FillBuckets(complete.Where(b => !suspicious.ContainsKey(b)).ToList());
        return pass;
    }

    /// <summary>Decides runs that are not complete or are future-dated; returns the rest, newest first.</summary>
    private List<RetentionCandidate> ClassifyRuns(IReadOnlyList<RetentionCandidate> database)
    {
        foreach (var backup in database)
        {
            if (backup.StartTime > _now)
            {
                Keep(backup, RetentionReasons.FutureDated);
            }

            if (backup.Status == BackupStatus.InProgress)
            {
                Keep(backup, RetentionReasons.InProgress);
            }
            else if (backup.Status == BackupStatus.Incomplete)
            {
                if (_now - backup.StartTime <= _policy.IncompleteGracePeriod)
                {
                    Keep(backup, RetentionReasons.IncompleteInGrace);
                }
                else
                {
                    Note(backup, RetentionReasons.IncompleteExpired);
                }
            }
            else if (backup.BeingRead && backup.StartTime <= _now)
            {
                Keep(backup, RetentionReasons.BeingRead);
            }
        }

        return CountedTowardBuckets(database, _now);
    }

    /// <summary>The complete, not future-dated backups, newest first.</summary>
    public static List<RetentionCandidate> CountedTowardBuckets(IEnumerable<RetentionCandidate> database, DateTimeOffset now)
    {
        var complete = database.Where(b => CountsTowardBuckets(b, now)).ToList();
        complete.Sort(NewestFirst);
        return complete;
    }

    public static bool CountsTowardBuckets(RetentionCandidate backup, DateTimeOffset now) =>
        backup.Status == BackupStatus.Complete && backup.StartTime <= now;

    private void ProtectNewest(List<RetentionCandidate> complete)
    {
        if (complete.Count > 0)
        {
            Keep(complete[0], RetentionReasons.NewestComplete);
        }

        foreach (var backup in complete.Take(_policy.KeepLast))
        {
            Keep(backup, RetentionReasons.Last(_policy.KeepLast));
        }

        if (_policy.KeepWithin is { } within)
        {
            foreach (var backup in complete.TakeWhile(b => _now - b.StartTime <= within))
            {
                Keep(backup, RetentionReasons.Within(within));
            }
        }
    }

    /// <summary>Keeps the newest Passed backup and everything after it, which nothing has vouched for yet.</summary>
    private void ProtectUnverified(List<RetentionCandidate> complete)
    {
        var newestPassed = complete.FindIndex(b => b.VerificationStatus == VerificationOutcome.Passed);
        if (newestPassed < 0)
        {
            return;
        }

        Keep(complete[newestPassed], RetentionReasons.NewestVerified);
        foreach (var backup in complete.Take(newestPassed))
        {
            Keep(backup, RetentionReasons.NewerThanNewestVerified);
        }
    }

    private void FillBuckets(List<RetentionCandidate> trustedNewestFirst)
    {
        foreach (var bucket in RetentionBucket.For(_policy))
        {
            var filled = new HashSet<string>(StringComparer.Ordinal);
            foreach (var backup in trustedNewestFirst)
            {
                if (filled.Count >= bucket.Keep)
                {
                    break;
                }

                var key = bucket.Key(TimeZoneInfo.ConvertTime(backup.StartTime, _policy.TimeZone).DateTime);
                if (filled.Add(key))
                {
                    Keep(backup, RetentionReasons.Bucket(bucket.Label, key));
                }
            }
        }
    }

    private RetentionDecision DecisionFor(RetentionCandidate backup)
    {
        var keep = _keep.GetValueOrDefault(backup);
        var notes = _notes.GetValueOrDefault(backup);
        var reasons = new List<string>();
        if (keep is not null)
        {
            reasons.AddRange(keep);
        }
        else if (backup.Status == BackupStatus.Complete)
        {
            reasons.Add(RetentionReasons.NotSelected);
        }

        if (notes is not null)
        {
            reasons.AddRange(notes);
        }

        return new RetentionDecision
        {
            Id = backup.Id,
            Database = backup.Database,
            Server = backup.Server,
            StartTime = backup.StartTime,
            SizeBytes = backup.SizeBytes,
            Status = backup.Status,
            Action = keep is null ? RetentionAction.Remove : RetentionAction.Keep,
            Reasons = reasons,
        };
    }

    private void Keep(RetentionCandidate backup, string reason) => Add(_keep, backup, reason);

    private void Note(RetentionCandidate backup, string note) => Add(_notes, backup, note);

    private static void Add(Dictionary<RetentionCandidate, List<string>> map, RetentionCandidate backup, string text)
    {
        if (!map.TryGetValue(backup, out var list))
        {
            map[backup] = list = [];
        }

        if (!list.Contains(text))
        {
            list.Add(text);
        }
    }

    internal static readonly IComparer<RetentionCandidate> NewestFirstComparer = Comparer<RetentionCandidate>.Create(NewestFirst);

    internal static int NewestFirst(RetentionCandidate a, RetentionCandidate b) =>
        b.StartTime.CompareTo(a.StartTime) is var c && c != 0 ? c : string.CompareOrdinal(b.Id, a.Id);
}
