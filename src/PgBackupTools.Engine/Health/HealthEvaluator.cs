using System.Globalization;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Health;

/// <summary>
/// A pure function from repository facts, thresholds and "now" to a health report: every check with its
/// value, threshold and a message that says what to do. No I/O and no clock of its own, so every boundary is
/// testable exactly.
/// </summary>
public static class HealthEvaluator
{
    public static HealthReport Evaluate(RepositoryHealthFacts facts, HealthThresholds thresholds, DateTimeOffset now)
    {
        var checks = new List<HealthCheck>();
        if (facts.Problem is not null)
        {
            checks.Add(new HealthCheck("repository", null, HealthStatus.Critical, null, null, facts.Problem));
            return Report(facts, checks, now);
        }

        checks.Add(new HealthCheck("repository", null, HealthStatus.OK, null, null, "readable; configuration authentic"));
        checks.Add(FreeSpace(facts.FreeSpaceBytes, thresholds));
        if (facts.UnreadableBackups.Count > 0)
        {
            checks.Add(new HealthCheck("backups readable", null, HealthStatus.Critical, facts.UnreadableBackups.Count.ToString(CultureInfo.InvariantCulture), "0",
                $"{facts.UnreadableBackups.Count} backup folders cannot be read or authenticated: {string.Join(", ", facts.UnreadableBackups.Take(5))}. Run Get-PgBackup with the key to see why."));
        }

        if (facts.AbandonedRuns.Count > 0)
        {
            checks.Add(new HealthCheck("abandoned runs", null, HealthStatus.Warning, facts.AbandonedRuns.Count.ToString(CultureInfo.InvariantCulture), "0",
                $"{facts.AbandonedRuns.Count} backup runs died without cleaning up ({string.Join(", ", facts.AbandonedRuns.Take(5))}); Remove-PgBackupExpired removes them after its grace period."));
        }

        if (facts.Databases.Count == 0)
        {
            checks.Add(new HealthCheck("backup age", null, HealthStatus.Critical, "none", $"< {Format(thresholds.WarningAge)}",
                "The repository holds no backup and no run of Invoke-PgBackup. Check that the backup job is scheduled and points at this repository."));
        }

        foreach (var database in facts.Databases)
        {
            checks.AddRange(DatabaseChecks(database, thresholds, now));
        }

        foreach (var wal in facts.WalArchives)
        {
            checks.AddRange(WalChecks(wal, thresholds, now));
        }

        return Report(facts, checks, now);
    }

    private static IEnumerable<HealthCheck> WalChecks(WalHealthFacts wal, HealthThresholds thresholds, DateTimeOffset now)
    {
        var subject = "system " + wal.SystemIdentifier;
        if (wal.Problem is not null)
        {
            yield return new HealthCheck("WAL archive", subject, HealthStatus.Critical, null, null, wal.Problem);
            yield break;
        }

        var threshold = $"< {Format(thresholds.WalWarningAge)} (critical >= {Format(thresholds.WalCriticalAge)})";
        if (wal.Newest is null || wal.NewestStoredAt is null)
        {
            yield return new HealthCheck("WAL archive age", subject, HealthStatus.Critical, "none", threshold,
                "The WAL archive holds no segment yet. Check archive_command (Get-PgWalArchiveCommand) and pg_stat_archiver on the server.");
            yield break;
        }

        var age = now - wal.NewestStoredAt.Value;
        var status = age >= thresholds.WalCriticalAge ? HealthStatus.Critical : age >= thresholds.WalWarningAge ? HealthStatus.Warning : HealthStatus.OK;
        yield return new HealthCheck("WAL archive age", subject, status, Format(age), threshold, status == HealthStatus.OK
            ? $"newest segment {wal.Newest.Name} archived {wal.NewestStoredAt:u}: at most {Format(age)} of changes would be lost"
            : $"The newest archived WAL segment ({wal.Newest.Name}) is {Format(age)} old: everything written since would be lost. Check pg_stat_archiver for failures; on a quiet server set archive_timeout so a segment is archived at least that often.");

        if (wal.Continuity is { } continuity)
        {
            yield return continuity.IsContinuous
                ? new HealthCheck("WAL archive continuity", subject, HealthStatus.OK, $"{continuity.SegmentCount} segments", "no gaps",
                    $"continuous from {continuity.Oldest?.Name} to {continuity.Newest?.Name}")
                : new HealthCheck("WAL archive continuity", subject, HealthStatus.Critical, $"{continuity.Gaps.Count} gap(s)", "no gaps",
                    $"The WAL archive is missing {string.Join(", ", continuity.Gaps.Take(3))}. Point-in-time recovery cannot pass a gap: restore the segments from a copy, and take a new physical backup (Invoke-PgBackup -Type Physical) so recovery can start after it.");
        }
    }

    private static HealthReport Report(RepositoryHealthFacts facts, List<HealthCheck> checks, DateTimeOffset now) => new()
    {
        Repository = facts.Repository,
        Status = HealthReport.Worst(checks),
        Checks = checks,
        CheckedAt = now,
        LastBackup = facts.Databases.SelectMany(d => d.Backups).Select(b => (DateTimeOffset?)b.EndTime ?? b.StartTime).DefaultIfEmpty().Max(),
        LastVerification = facts.Databases.SelectMany(d => d.Backups).Select(b => b.LastVerified).DefaultIfEmpty().Max(),
        FreeSpaceBytes = facts.FreeSpaceBytes,
    };

    private static HealthCheck FreeSpace(long? free, HealthThresholds thresholds)
    {
        if (free is null)
        {
            return new HealthCheck("free space", null, HealthStatus.Unknown, null, null, "The free space of the repository's volume could not be read.");
        }

        var status = free < thresholds.CriticalFreeSpaceBytes ? HealthStatus.Critical : free < thresholds.WarningFreeSpaceBytes ? HealthStatus.Warning : HealthStatus.OK;
        var message = status == HealthStatus.OK
            ? "enough free space on the repository's volume"
            : "The repository's volume is running out of space: the next backup may fail. Free space, expire old backups (Remove-PgBackupExpired) or move the repository.";
        return new HealthCheck("free space", null, status, Bytes(free.Value), $">= {Bytes(thresholds.WarningFreeSpaceBytes)} (critical < {Bytes(thresholds.CriticalFreeSpaceBytes)})", message);
    }

    private static IEnumerable<HealthCheck> DatabaseChecks(DatabaseHealthFacts db, HealthThresholds thresholds, DateTimeOffset now)
    {
        var newest = db.Backups.FirstOrDefault();
        var ageThreshold = $"< {Format(thresholds.WarningAge)} (critical >= {Format(thresholds.CriticalAge)})";
        if (newest is null)
        {
            yield return new HealthCheck("backup age", db.Database, HealthStatus.Critical, "none", ageThreshold, $"There is no complete backup of '{db.Database}'. See the last run below, and Get-PgBackup -IncludeIncomplete.");
        }
        else
        {
            var completed = newest.EndTime ?? newest.StartTime;
            var age = now - completed;
            var status = age >= thresholds.CriticalAge ? HealthStatus.Critical : age >= thresholds.WarningAge ? HealthStatus.Warning : HealthStatus.OK;
            yield return new HealthCheck("backup age", db.Database, status, Format(age), ageThreshold, status == HealthStatus.OK
                ? $"newest backup {newest.Id} completed {completed:u}"
                : $"The newest complete backup of '{db.Database}' is {Format(age)} old ({newest.Id}). Check the backup schedule and the last run.");
        }

        if (db.LastRun is { } run)
        {
            var status = run.Outcome == RunOutcome.Succeeded ? HealthStatus.OK : HealthStatus.Critical;
            yield return new HealthCheck("last run", db.Database, status, run.Outcome.ToString(), "Succeeded", status == HealthStatus.OK
                ? $"last run {run.StartTime:u} succeeded in {run.DurationSeconds:0.#} s"
                : $"The last backup run of '{db.Database}' at {run.StartTime:u} {run.Outcome.ToString().ToLowerInvariant()}: {run.ErrorId}: {run.Message}");
        }

        if (newest is not null)
        {
            yield return Verification(db.Database, newest, db.Backups, thresholds, now);
            if (SizeAnomaly(db.Backups, thresholds) is { } size)
            {
                yield return size with { Database = db.Database };
            }

            if (DurationAnomaly(db.Backups) is { } duration)
            {
                yield return duration with { Database = db.Database };
            }
        }
    }

    private static HealthCheck Verification(string database, Backup newest, IReadOnlyList<Backup> backups, HealthThresholds thresholds, DateTimeOffset now)
    {
        var verified = backups.FirstOrDefault(b => b.LastVerified is not null);
        if (verified is null)
        {
            return new HealthCheck("verification", database, HealthStatus.Warning, "never", $"< {Format(thresholds.VerificationMaxAge)}",
                $"No backup of '{database}' was ever verified. Schedule Test-PgBackup -Level Restore: a backup that was never restored is a hope, not a backup.");
        }

        var age = now - verified.LastVerified!.Value;
        var (status, message) = verified.VerificationStatus switch
        {
            VerificationStatus.Failed => (HealthStatus.Critical, $"Backup {verified.Id} of '{database}' FAILED verification at level {verified.VerificationLevel}. Run Test-PgBackup on it for the details, and take a new backup."),
            VerificationStatus.Passed when age >= thresholds.VerificationMaxAge => (HealthStatus.Warning, $"The last verification of '{database}' is {Format(age)} old. Run Test-PgBackup again."),
            VerificationStatus.Passed => (HealthStatus.OK, $"backup {verified.Id} passed {verified.VerificationLevel} verification {verified.LastVerified:u}"),
            _ => (HealthStatus.Warning, $"The last verification of '{database}' ({verified.Id}) ended {verified.VerificationStatus}: not every check could run."),
        };
        return new HealthCheck("verification", database, status, $"{verified.VerificationStatus} {Format(age)} ago", $"Passed, < {Format(thresholds.VerificationMaxAge)}", message);
    }

    private static HealthCheck? SizeAnomaly(IReadOnlyList<Backup> backups, HealthThresholds thresholds)
    {
        if (backups.Count < 3)
        {
            return null;
        }

        var median = Median(backups.Skip(1).Take(7).Select(b => (double)b.SizeBytes));
        var newest = backups[0].SizeBytes;
        var low = median * thresholds.SizeAnomalyRatio;
        var high = median / thresholds.SizeAnomalyRatio;
        var anomalous = newest < low || newest > high;
        return new HealthCheck("size", null, anomalous ? HealthStatus.Warning : HealthStatus.OK, Bytes(newest), $"{Bytes((long)low)} .. {Bytes((long)high)}", anomalous
            ? $"The newest backup is {Bytes(newest)} against a recent median of {Bytes((long)median)}: an empty dump, a wrong database, or a real change. Check it."
            : "size in line with recent backups");
    }

    private static HealthCheck? DurationAnomaly(IReadOnlyList<Backup> backups)
    {
        if (backups.Count < 3 || backups[0].Duration is not { } newest)
        {
            return null;
        }

        var median = Median(backups.Skip(1).Take(7).Where(b => b.Duration is not null).Select(b => b.Duration!.Value.TotalSeconds));
        var anomalous = median > 0 && newest.TotalSeconds > Math.Max(2 * median, median + 60);
        return new HealthCheck("duration", null, anomalous ? HealthStatus.Warning : HealthStatus.OK, $"{newest.TotalSeconds:0.#} s", $"<= {Math.Max(2 * median, median + 60):0.#} s", anomalous
            ? $"The newest backup took {newest.TotalSeconds:0.#} s against a recent median of {median:0.#} s: the database grew, the server or storage is slow, or something waits on locks."
            : "duration in line with recent backups");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return 0;
        }

        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string Format(TimeSpan span) => span.TotalDays >= 1
        ? $"{(int)span.TotalDays}d {span.Hours}h {span.Minutes}m"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes}m" : $"{(int)span.TotalMinutes}m {span.Seconds}s";

    private static string Bytes(long bytes) => Jobs.ByteSize.Format(bytes);
}
