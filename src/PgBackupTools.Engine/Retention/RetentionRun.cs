using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Retention;

/// <summary>
/// One retention run over a repository. It holds the repository-wide retention lock from start to dispose, so
/// deciding and deleting happen under one lock and two runs never interleave; it first finishes deletions a
/// crashed run left behind. Backups being written (their database lock held) are never touched.
/// </summary>
public sealed class RetentionRun : IDisposable
{
    public const string LockName = "retention";

    private readonly RepositorySession _repository;
    private readonly RepositoryLock _lock;

    private RetentionRun(RepositorySession repository, RepositoryLock held, BackupRemoval recovered)
    {
        _repository = repository;
        _lock = held;
        Recovered = recovered;
    }

    /// <summary>What was left by an interrupted earlier run and finished now.</summary>
    public BackupRemoval Recovered { get; }

    public static async Task<RetentionRun> StartAsync(RepositorySession repository, JobContext context, TimeSpan lockWait, CancellationToken cancellationToken)
    {
        SecureFileSystem.EnsureWritable(repository.Layout.LocksDirectory);
        var held = await RepositoryLock.AcquireAsync(
            repository.Layout, LockName, $"Retention of repository '{repository.Layout.Root}'", lockWait, context.Time, cancellationToken).ConfigureAwait(false);
        try
        {
            var recovered = BackupRemover.FinishInterrupted(repository.Layout);
            if (recovered.Folders > 0)
            {
                context.Reporter.Verbose($"Finished {recovered.Folders} deletion(s) an earlier run left incomplete ({recovered.BytesFreed} bytes).");
            }

            return new RetentionRun(repository, held, recovered);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Lists the repository (including abandoned runs) and decides. With an unlocked repository every manifest is
    /// authenticated first; one that fails is reported in Problems and left out, so it is neither counted nor removed.
    /// </summary>
    public RetentionPlan Plan(RetentionPolicy policy, DateTimeOffset now, Func<string, bool> includeDatabase)
    {
        var listing = ManifestStore.List(_repository, includeIncomplete: true);
        var problems = listing.Problems.ToList();
        var candidates = new List<RetentionCandidate>();
        foreach (var backup in listing.Backups.Where(b => includeDatabase(b.Database)))
        {
            if (backup.Status == BackupStatus.Complete && _repository.IsUnlocked)
            {
                try
                {
                    ManifestStore.Load(_repository, backup.Id);
                }
                catch (PgBackupException ex)
                {
                    problems.Add(ex);
                    continue;
                }
            }

            candidates.Add(RetentionCandidate.From(backup) with
            {
                BeingRead = backup.Status == BackupStatus.Complete && BackupReadLock.IsHeld(_repository.Layout, backup.Id),
            });
        }

        return new RetentionPlan(RetentionPlanner.Decide(candidates, policy, now), problems);
    }

    public BackupRemoval Remove(RetentionDecision decision) => BackupRemover.Remove(_repository.Layout, decision.Id, decision.Status);

    /// <summary>
    /// What WAL the backups left after this run's removals no longer need, per cluster. Computed from the listing
    /// as it is now, so a backup whose removal failed or was not confirmed keeps its WAL.
    /// </summary>
    public IReadOnlyList<WalRetentionPlan> PlanWal(IReadOnlySet<string> removedIds)
    {
        var remaining = ManifestStore.List(_repository, includeIncomplete: false).Backups.Where(b => !removedIds.Contains(b.Id)).ToList();
        var plans = new List<WalRetentionPlan>();
        foreach (var systemId in WalArchive.ListSystems(_repository.Layout))
        {
            using var archive = WalArchive.Open(_repository, systemId);
            plans.Add(WalRetention.Plan(archive, remaining));
        }

        return plans;
    }

    public void Dispose() => _lock.Dispose();
}
