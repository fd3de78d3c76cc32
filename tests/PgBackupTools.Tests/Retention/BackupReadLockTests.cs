using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Retention;
using PgBackupTools.Tests.Repository;
using Xunit;

namespace PgBackupTools.Tests.Retention;

/// <summary>A backup a restore or verification is reading is never removed under it.</summary>
public sealed class BackupReadLockTests
{
    private static readonly RetentionPolicy KeepOnlyNewest = new() { KeepLast = 1, KeepDaily = 0, KeepWeekly = 0, KeepMonthly = 0 };

    [Fact]
    public async Task Retention_keeps_a_backup_while_it_is_read_and_removes_it_afterwards()
    {
        using var repo = new TestRepository();
        var old = await repo.WriteBackupAsync(TestRepository.SampleDump(5_000), start: DateTimeOffset.UtcNow.AddDays(-3));
        var newest = await repo.WriteBackupAsync(TestRepository.SampleDump(5_000, seed: 2), start: DateTimeOffset.UtcNow.AddDays(-1));
        using var session = repo.OpenUnlocked();

        using (BackupReadLock.Acquire(session.Layout, old, "Restore of backup " + old, TimeProvider.System))
        {
            Assert.True(BackupReadLock.IsHeld(session.Layout, old));
            Assert.False(BackupReadLock.IsHeld(session.Layout, newest));
            using var run = await RetentionRun.StartAsync(session, new JobContext(), TimeSpan.Zero, CancellationToken.None);
            var decision = run.Plan(KeepOnlyNewest, DateTimeOffset.UtcNow, _ => true).Decisions.Single(d => d.Id == old);
            Assert.Equal(RetentionAction.Keep, decision.Action);
            Assert.Contains(RetentionReasons.BeingRead, decision.Reasons);

            // A reader that started after the plan is still protected: removal checks again and refuses.
            var error = Assert.Throws<PgBackupException>(() => BackupRemover.Remove(session.Layout, old, BackupStatus.Complete));
            Assert.Equal("BackupBeingRead", error.ErrorId);
            Assert.Contains(old, ManifestStore.List(session, includeIncomplete: false).Backups.Select(b => b.Id));
        }

        Assert.False(BackupReadLock.IsHeld(session.Layout, old));
        using (var run = await RetentionRun.StartAsync(session, new JobContext(), TimeSpan.Zero, CancellationToken.None))
        {
            var decision = run.Plan(KeepOnlyNewest, DateTimeOffset.UtcNow, _ => true).Decisions.Single(d => d.Id == old);
            Assert.Equal(RetentionAction.Remove, decision.Action);
            Assert.Equal(1, run.Remove(decision).Folders);
        }
    }

    [Fact]
    public async Task The_lock_file_of_a_reader_that_died_protects_nothing_and_is_cleaned_up()
    {
        using var repo = new TestRepository();
        var id = await repo.WriteBackupAsync(TestRepository.SampleDump(5_000));
        using var session = repo.OpenUnlocked();
        var leftover = Path.Combine(session.Layout.LocksDirectory, $"read-{id}-999999-dead.lock");
        File.WriteAllText(leftover, "");
        File.WriteAllText(leftover + ".json", "{}");

        Assert.False(BackupReadLock.IsHeld(session.Layout, id));
        Assert.False(File.Exists(leftover));
        Assert.False(File.Exists(leftover + ".json"));
    }

    [Fact]
    public async Task Readers_never_wait_for_each_other()
    {
        using var repo = new TestRepository();
        var id = await repo.WriteBackupAsync(TestRepository.SampleDump(5_000));
        using var session = repo.OpenUnlocked();
        using var first = BackupReadLock.Acquire(session.Layout, id, "first", TimeProvider.System);
        using var second = BackupReadLock.Acquire(session.Layout, id, "second", TimeProvider.System);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.True(BackupReadLock.IsHeld(session.Layout, id));
    }
}
