using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Health;

/// <summary>Reads what health needs from a repository. Every problem becomes a fact, never an exception.</summary>
public static class HealthProbe
{
    public static RepositoryHealthFacts Gather(string path, KeySource? key, IReadOnlyList<string>? databases, Func<string, long?> freeSpace)
    {
        RepositorySession repository;
        try
        {
            repository = BackupRepository.Open(path);
            repository.Unlock(key);
        }
        catch (PgBackupException ex)
        {
            return new RepositoryHealthFacts { Repository = path, Problem = $"{ex.ErrorId}: {ex.Message}", FreeSpaceBytes = freeSpace(ExistingAncestor(path)) };
        }

        using (repository)
        {
            var listing = ManifestStore.List(repository, includeIncomplete: true);
            var runs = RunRecordStore.Read(repository);
            bool Wanted(string database) => databases is null || databases.Count == 0 || databases.Contains(database, StringComparer.Ordinal);
            var names = listing.Backups.Select(b => b.Database).Concat(runs.Select(r => r.Database)).Where(Wanted).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            var facts = names.Select(name => new DatabaseHealthFacts(
                    name,
                    listing.Backups.Where(b => b.Database == name && b.Status == BackupStatus.Complete).ToList(),
                    runs.FirstOrDefault(r => r.Database == name)))
                .ToList();
            return new RepositoryHealthFacts
            {
                Repository = repository.Layout.Root,
                FreeSpaceBytes = freeSpace(repository.Layout.Root),
                AbandonedRuns = listing.Backups.Where(b => b.Status == BackupStatus.Incomplete && Wanted(b.Database)).Select(b => b.Id).ToList(),
                UnreadableBackups = listing.Problems.Select(p => p.Target?.ToString() ?? p.ErrorId).ToList(),
                Databases = facts,
                WalArchives = WalHealthProbe.Gather(repository, listing.Backups),
            };
        }
    }

    /// <summary>Free bytes on the volume holding <paramref name="path"/>, or null when it cannot be read.</summary>
    public static long? FreeSpaceOf(string path)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(path)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static string ExistingAncestor(string path)
    {
        var current = Path.GetFullPath(path);
        while (!Directory.Exists(current) && Path.GetDirectoryName(current) is { } parent)
        {
            current = parent;
        }

        return current;
    }
}
