using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Retention;
using PgBackupTools.Tests.Repository;
using Xunit;

namespace PgBackupTools.Tests.Retention;

public class BackupRemoverTests
{
    [Fact]
    public async Task RemovingABackupUnlistsAndDeletesIt()
    {
        using var repo = new TestRepository();
        var keep = await repo.WriteBackupAsync(TestRepository.SampleDump(10_000));
        var gone = await repo.WriteBackupAsync(TestRepository.SampleDump(10_000, seed: 2));
        using var session = repo.OpenUnlocked();

        var removal = BackupRemover.Remove(session.Layout, gone, BackupStatus.Complete);

        Assert.Equal(1, removal.Folders);
        Assert.True(removal.BytesFreed > 10_000 / 10);
        Assert.Equal([keep], ManifestStore.List(session, includeIncomplete: true).Backups.Select(b => b.Id));
        Assert.Equal([keep], Directory.EnumerateFileSystemEntries(session.Layout.BackupsDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AnInterruptedDeletionIsNotListedAndTheNextRunFinishesIt()
    {
        using var repo = new TestRepository();
        var id = await repo.WriteBackupAsync(TestRepository.SampleDump(10_000));
        using var session = repo.OpenUnlocked();
        var deleting = Path.Combine(session.Layout.BackupsDirectory, RepositoryLayout.DeletingPrefix + id);
        Directory.Move(session.Layout.BackupDirectory(id), deleting); // the crash came right after the rename

        Assert.Empty(ManifestStore.List(session, includeIncomplete: true).Backups);
        Assert.NotEmpty(Directory.EnumerateFiles(deleting));

        using (var run = await RetentionRun.StartAsync(session, new JobContext(), TimeSpan.Zero, CancellationToken.None))
        {
            Assert.Equal(1, run.Recovered.Folders);
            Assert.True(run.Recovered.BytesFreed > 0);
        }

        Assert.False(Directory.Exists(deleting));
    }

    [Fact]
    public async Task ARunWhoseDatabaseLockIsHeldIsLeftUntouched()
    {
        using var repo = new TestRepository();
        using var session = repo.OpenUnlocked();
        var (id, directory) = AbandonedRun(session, DateTimeOffset.UtcNow.AddDays(-3), "db-live");
        using var live = await RepositoryLock.AcquireAsync(session.Layout, "db-live", "test backup", TimeSpan.Zero, TimeProvider.System, CancellationToken.None);

        var error = Assert.Throws<PgBackupException>(() => BackupRemover.Remove(session.Layout, id, BackupStatus.Incomplete));

        Assert.Equal("BackupInUse", error.ErrorId);
        Assert.True(File.Exists(Path.Combine(directory, IncompleteMarker.FileName)));
        using var run = await RetentionRun.StartAsync(session, new JobContext(), TimeSpan.Zero, CancellationToken.None);
        var decision = Assert.Single(run.Plan(new RetentionPolicy(), DateTimeOffset.UtcNow, _ => true).Decisions);
        Assert.Equal(BackupStatus.InProgress, decision.Status);
        Assert.Equal(RetentionAction.Keep, decision.Action);
    }

    [Fact]
    public async Task AnAbandonedRunPastItsGracePeriodIsRemoved()
    {
        using var repo = new TestRepository();
        using var session = repo.OpenUnlocked();
        var (_, directory) = AbandonedRun(session, DateTimeOffset.UtcNow.AddDays(-3), "db-dead");
        using var run = await RetentionRun.StartAsync(session, new JobContext(), TimeSpan.Zero, CancellationToken.None);

        var decision = Assert.Single(run.Plan(new RetentionPolicy(), DateTimeOffset.UtcNow, _ => true).Decisions);
        Assert.Equal(RetentionAction.Remove, decision.Action);
        run.Remove(decision);

        Assert.False(Directory.Exists(directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(session.Layout.BackupsDirectory));
    }

    [Fact]
    public async Task TwoRetentionRunsDoNotOverlap()
    {
        using var repo = new TestRepository();
        using var session = repo.OpenUnlocked();
        using var first = await RetentionRun.StartAsync(session, new JobContext(), TimeSpan.Zero, CancellationToken.None);

        var error = await Assert.ThrowsAsync<PgBackupException>(() => RetentionRun.StartAsync(session, new JobContext(), TimeSpan.Zero, CancellationToken.None));

        Assert.Equal("RepositoryLocked", error.ErrorId);
    }

    [Fact]
    public async Task AManifestThatDoesNotAuthenticateIsReportedAndNeitherCountedNorRemoved()
    {
        using var repo = new TestRepository();
        var old = await repo.WriteBackupAsync(TestRepository.SampleDump(10_000), start: DateTimeOffset.UtcNow.AddDays(-40));
        var tampered = await repo.WriteBackupAsync(TestRepository.SampleDump(10_000), start: DateTimeOffset.UtcNow.AddDays(-1));
        var manifest = repo.BackupFile(tampered, ManifestStore.ManifestFileName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"db\"", "\"dx\"", StringComparison.Ordinal));
        using var session = repo.OpenUnlocked();
        using var run = await RetentionRun.StartAsync(session, new JobContext(), TimeSpan.Zero, CancellationToken.None);

        var plan = run.Plan(new RetentionPolicy { KeepDaily = 0, KeepWeekly = 0, KeepMonthly = 0 }, DateTimeOffset.UtcNow, _ => true);

        Assert.Equal("IntegrityCheckFailed", Assert.Single(plan.Problems).ErrorId);
        var decision = Assert.Single(plan.Decisions);
        Assert.Equal(old, decision.Id);
        Assert.Equal(RetentionAction.Keep, decision.Action);
    }

    private static (string Id, string Directory) AbandonedRun(RepositorySession session, DateTimeOffset start, string lockName)
    {
        var id = BackupId.New(start);
        var directory = session.Layout.IncompleteDirectory(id);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, IncompleteMarker.FileName), new IncompleteMarker(id, "logical", "db", "h:5432", lockName, start, 1, "m").Serialize());
        File.WriteAllBytes(Path.Combine(directory, "database.pgdump.zst.enc"), new byte[4096]);
        return (id, directory);
    }
}
