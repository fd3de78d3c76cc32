namespace PgBackupTools.Engine.Repository;

/// <summary>
/// Writes and reads run records. A record is authenticated with the repository key when the run had it; a
/// run that failed before unlocking (wrong key) still leaves a record, marked unauthenticated, which health
/// trusts only to say that something failed, never that something succeeded.
/// </summary>
public static class RunRecordStore
{
    private const string Purpose = "run mac";
    private const string MacSuffix = ".mac";

    public static string Directory(RepositoryLayout layout) => Path.Combine(layout.Root, "runs");

    public static void Write(RepositoryLayout layout, RunRecord record, RepositorySession? unlocked)
    {
        var directory = Directory(layout);
        SecureFileSystem.CreatePrivateDirectory(directory);
        var name = record.StartTime.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'") + "-" + record.RunId + ".json";
        var bytes = record.Serialize();
        ManifestMac.WriteAuthenticated(Path.Combine(directory, name), Path.Combine(directory, name + MacSuffix), bytes, unlocked?.Master, Purpose);
        Prune(directory, record.EndTime - KeepFor);
    }

    /// <summary>Run records are kept this long; health needs only each database's newest run.</summary>
    public static TimeSpan KeepFor { get; } = TimeSpan.FromDays(35);

    // Names start with the run's UTC start time, so old records are found without reading them.
    private static void Prune(string directory, DateTimeOffset olderThan)
    {
        var cutoff = olderThan.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'");
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            if (string.CompareOrdinal(Path.GetFileName(path), cutoff) < 0)
            {
                try
                {
                    File.Delete(path);
                }
                catch (IOException)
                {
                    // Another run prunes it next time.
                }
            }
        }
    }

    /// <summary>The trustworthy records of a repository, newest first.</summary>
    public static IReadOnlyList<RunRecord> Read(RepositorySession repository)
    {
        var directory = Directory(repository.Layout);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var records = new List<RunRecord>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*.json"))
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                var mac = File.Exists(path + MacSuffix) ? File.ReadAllBytes(path + MacSuffix) : [];
                if (RunRecord.TryDeserialize(bytes) is not { } record)
                {
                    continue;
                }

                var authentic = ManifestMac.Verify(bytes, mac, repository.Master, Purpose);
                var unauthenticatedFailure = !authentic && record.Outcome != RunOutcome.Succeeded && ManifestMac.Verify(bytes, mac, null, Purpose);
                if (authentic || unauthenticatedFailure || !repository.IsUnlocked)
                {
                    records.Add(record);
                }
            }
            catch (IOException)
            {
                // A record being replaced right now; the next check reads it.
            }
        }

        records.Sort((a, b) => b.StartTime.CompareTo(a.StartTime));
        return records;
    }
}
