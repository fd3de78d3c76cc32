using System.Globalization;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Health;

/// <summary>Reads the WAL archives of a repository for health: newest segment, its age, and holes.</summary>
public static class WalHealthProbe
{
    public static IReadOnlyList<WalHealthFacts> Gather(RepositorySession repository, IReadOnlyList<Backup> backups)
    {
        var facts = new List<WalHealthFacts>();
        foreach (var systemId in WalArchive.ListSystems(repository.Layout))
        {
            var id = systemId.ToString(CultureInfo.InvariantCulture);
            try
            {
                using var archive = WalArchive.Open(repository, systemId);
                facts.Add(Describe(archive, id, backups));
            }
            catch (PgBackupException ex)
            {
                facts.Add(new WalHealthFacts(id, null, null, null, $"{ex.ErrorId}: {ex.Message}"));
            }
        }

        return facts;
    }

    private static WalHealthFacts Describe(WalArchive archive, string systemId, IReadOnlyList<Backup> backups)
    {
        var files = archive.List();
        var segments = files.Where(f => f.Name.Kind == WalFileKind.Segment).ToList();
        if (segments.Count == 0)
        {
            return new WalHealthFacts(systemId, null, null, null);
        }

        var history = NewestHistory(archive, files);
        var onHistory = segments.Where(s => history.TimelineOf(s.Name.SegmentNumber, archive.SegmentSize) == s.Name.Timeline).ToList();
        var newest = onHistory.MaxBy(s => s.Name.SegmentNumber) ?? segments.MaxBy(s => s.StoredAt)!;
        var oldestBase = backups
            .Where(b => b.Type == BackupType.Physical && b.SystemIdentifier == systemId && Lsn.TryParse(b.StartLsn, out _))
            .Select(b => Lsn.Parse(b.StartLsn!).SegmentNumber(archive.SegmentSize))
            .DefaultIfEmpty(onHistory.Count == 0 ? newest.Name.SegmentNumber : onHistory.Min(s => s.Name.SegmentNumber))
            .Min();
        var continuity = WalContinuity.Check(segments.Select(s => s.Name), history, archive.SegmentSize, oldestBase, newest.Name.SegmentNumber);

        // A stream also ships the segment it is filling as a partial copy: that is what the RPO is measured by then.
        var partial = files.Where(f => f.Name.Kind == WalFileKind.Partial && f.Name.Timeline == newest.Name.Timeline && f.Name.SegmentNumber > newest.Name.SegmentNumber)
            .MaxBy(f => f.StoredAt);
        var storedAt = partial is not null && partial.StoredAt > newest.StoredAt ? partial.StoredAt : newest.StoredAt;
        return new WalHealthFacts(systemId, newest.Name, storedAt, continuity);
    }

    /// <summary>The history of the newest timeline archived (timeline 1 has none).</summary>
    private static TimelineHistory NewestHistory(WalArchive archive, IReadOnlyList<WalStoredFile> files)
    {
        var newestHistory = files.Where(f => f.Name.Kind == WalFileKind.History).MaxBy(f => f.Name.Timeline);
        var newestTimeline = files.Max(f => f.Name.Timeline);
        if (newestHistory is null || newestHistory.Name.Timeline < newestTimeline)
        {
            return TimelineHistory.Initial(newestTimeline);
        }

        var temp = Path.Combine(Path.GetTempPath(), "pgbt-history-" + Guid.NewGuid().ToString("N"));
        try
        {
            WalFetch.FetchAsync(archive, newestHistory.Name.Name, temp, CancellationToken.None).GetAwaiter().GetResult();
            return TimelineHistory.Parse(newestHistory.Name.Timeline, File.ReadAllText(temp));
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
