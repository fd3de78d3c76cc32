using System.Globalization;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>Which archived WAL files retention removes, and why the rest stay.</summary>
/// <param name="KeepFrom">The first segment kept: the start of the oldest retained physical backup; null when nothing goes.</param>
/// <param name="Remove">Files older than it, oldest first.</param>
public sealed record WalRetentionPlan(string SystemIdentifier, WalFileName? KeepFrom, string? OldestBackupId, IReadOnlyList<WalStoredFile> Remove)
{
    public long Bytes => Remove.Sum(f => f.SizeBytes);
}

/// <summary>
/// WAL retention: a segment is needed by a physical backup from that backup's start onwards (recovery replays
/// forward from there), so everything older than the start of the oldest retained physical backup can go;
/// nothing else. Timeline history files always stay (they are tiny and recovery needs them to follow
/// timelines). A cluster without any retained physical backup keeps all its WAL. Files go oldest first, so an
/// interrupted run leaves a shorter archive, never one with a hole.
/// </summary>
public static class WalRetention
{
    public static WalRetentionPlan Plan(WalArchive archive, IEnumerable<Backup> retainedBackups)
    {
        var systemId = archive.SystemIdentifier.ToString(CultureInfo.InvariantCulture);
        var oldest = retainedBackups
            .Where(b => b.Type == BackupType.Physical && b.Status == BackupStatus.Complete && b.SystemIdentifier == systemId && Lsn.TryParse(b.StartLsn, out _))
            .MinBy(b => Lsn.Parse(b.StartLsn!));
        if (oldest is null)
        {
            return new WalRetentionPlan(systemId, null, null, []);
        }

        var keepFrom = WalFileName.ForLsn(oldest.Timeline ?? 1, Lsn.Parse(oldest.StartLsn!), archive.SegmentSize);
        var remove = archive.List()
            .Where(f => f.Name.Kind != WalFileKind.History && f.Name.SegmentNumber < keepFrom.SegmentNumber)
            .OrderBy(f => f.Name.SegmentNumber)
            .ThenBy(f => f.Name.Timeline)
            .ToList();
        return new WalRetentionPlan(systemId, keepFrom, oldest.Id, remove);
    }

    /// <summary>Deletes the planned files, oldest first; returns how many went and the bytes freed.</summary>
    public static (int Files, long Bytes) Apply(WalRetentionPlan plan)
    {
        var files = 0;
        long bytes = 0;
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in plan.Remove)
        {
            if (!File.Exists(file.Path))
            {
                continue;
            }

            File.Delete(file.Path);
            files++;
            bytes += file.SizeBytes;
            folders.Add(Path.GetDirectoryName(file.Path)!);
        }

        foreach (var folder in folders)
        {
            SecureFileSystem.SyncDirectory(folder);
            if (!Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }

        return (files, bytes);
    }
}
