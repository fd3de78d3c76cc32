using System.Diagnostics;
using System.Text.Json;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Repository;

public class RepositoryLockTests
{
    [Fact]
    public async Task ASecondHolderIsRefusedWithWhoHoldsItUntilTheFirstReleases()
    {
        using var repo = new TestRepository(encrypted: false);
        var layout = new RepositoryLayout(repo.Path_);
        var first = await RepositoryLock.AcquireAsync(layout, "db-x", "Backup of database 'x'", TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        Assert.True(RepositoryLock.IsHeld(layout, "db-x"));

        var refused = await Assert.ThrowsAsync<PgBackupException>(() =>
            RepositoryLock.AcquireAsync(layout, "db-x", "Backup of database 'x'", TimeSpan.FromMilliseconds(300), TimeProvider.System, CancellationToken.None));
        Assert.Equal("RepositoryLocked", refused.ErrorId);
        Assert.Contains($"process {Environment.ProcessId}", refused.Message);

        first.Dispose();
        Assert.False(RepositoryLock.IsHeld(layout, "db-x"));
        using var second = await RepositoryLock.AcquireAsync(layout, "db-x", "Backup of database 'x'", TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        Assert.False(second.TookOverStaleLock);
    }

    [Fact]
    public async Task ALockLeftByAKilledProcessIsTakenOver()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var repo = new TestRepository(encrypted: false);
        var layout = new RepositoryLayout(repo.Path_);
        var lockPath = Path.Combine(layout.LocksDirectory, "db-y.lock");
        File.WriteAllText(lockPath, "");
        File.WriteAllText(lockPath + ".json", JsonSerializer.Serialize(new { ProcessId = 1, MachineName = "dead", Description = "old", Since = DateTimeOffset.UtcNow }));

        // flock(1) holds the same kind of lock .NET takes; killing it is a crash of the holder.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", lockPath, "sleep", "60"]))!;
        await WaitUntil(() => RepositoryLock.IsHeld(layout, "db-y"));
        await Assert.ThrowsAsync<PgBackupException>(() =>
            RepositoryLock.AcquireAsync(layout, "db-y", "y", TimeSpan.Zero, TimeProvider.System, CancellationToken.None));
        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync();
        await WaitUntil(() => !RepositoryLock.IsHeld(layout, "db-y"));

        using var taken = await RepositoryLock.AcquireAsync(layout, "db-y", "y", TimeSpan.Zero, TimeProvider.System, CancellationToken.None);
        Assert.True(taken.TookOverStaleLock);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
