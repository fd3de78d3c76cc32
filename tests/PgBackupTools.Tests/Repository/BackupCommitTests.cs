using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Repository;

public class BackupCommitTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CommittedBackupRoundTripsAndIsListed(bool encrypted)
    {
        using var repo = new TestRepository(encrypted);
        var dump = TestRepository.SampleDump(100_000);
        var id = await repo.WriteBackupAsync(dump, "sales");

        Assert.Equal(dump, await repo.ReadDumpAsync(id));
        using var session = BackupRepository.Open(repo.Path_);
        var listing = ManifestStore.List(session, includeIncomplete: true);
        var backup = Assert.Single(listing.Backups);
        Assert.Equal(id, backup.Id);
        Assert.Equal("sales", backup.Database);
        Assert.Equal(BackupStatus.Complete, backup.Status);
        Assert.Equal(encrypted, backup.Encrypted);
        Assert.Empty(listing.Problems);
    }

    [Fact]
    public async Task AnUncommittedBackupLeavesNothingBehind()
    {
        using var repo = new TestRepository();
        using var session = repo.OpenUnlocked();
        var id = BackupId.New(DateTimeOffset.UtcNow);
        var marker = new IncompleteMarker(id, "logical", "db", "h:5432", "lock", DateTimeOffset.UtcNow, Environment.ProcessId, Environment.MachineName);
        await using (var pending = PendingBackup.Begin(session, id, marker.Serialize()))
        {
            var writer = pending.CreateFile("database.pgdump.zst", "dump", CompressionSettings.Default);
            await using (writer)
            {
                await writer.Input.WriteAsync(TestRepository.SampleDump(50_000));
            }

            Assert.True(Directory.Exists(pending.Directory));
            Assert.Empty(ManifestStore.List(session, includeIncomplete: false).Backups);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(session.Layout.BackupsDirectory));
    }

    [Fact]
    public void AnAbandonedRunIsListedOnlyWithIncludeIncompleteAndMarkedSo()
    {
        using var repo = new TestRepository();
        using var session = repo.OpenUnlocked();
        var id = BackupId.New(DateTimeOffset.UtcNow);
        var marker = new IncompleteMarker(id, "logical", "db", "h:5432", "db-lock", DateTimeOffset.UtcNow, 999999, "elsewhere");
        var directory = session.Layout.IncompleteDirectory(id);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, IncompleteMarker.FileName), marker.Serialize());
        File.WriteAllText(Path.Combine(directory, "database.pgdump.zst"), "half a dump");

        Assert.Empty(ManifestStore.List(session, includeIncomplete: false).Backups);
        var abandoned = Assert.Single(ManifestStore.List(session, includeIncomplete: true).Backups);
        Assert.Equal(BackupStatus.Incomplete, abandoned.Status);
        Assert.Equal(id, abandoned.Id);
        Assert.Equal("BackupNotFound", Assert.Throws<PgBackupException>(() => ManifestStore.Load(session, id)).ErrorId);
    }

    [Fact]
    public async Task ListingIsNewestFirstByStartTimeNotByName()
    {
        using var repo = new TestRepository();
        var old = await repo.WriteBackupAsync([1, 2, 3], start: DateTimeOffset.UtcNow.AddDays(-2));
        var newest = await repo.WriteBackupAsync([1, 2, 3], start: DateTimeOffset.UtcNow);
        var middle = await repo.WriteBackupAsync([1, 2, 3], start: DateTimeOffset.UtcNow.AddDays(-1));
        using var session = BackupRepository.Open(repo.Path_);
        Assert.Equal([newest, middle, old], ManifestStore.List(session, false).Backups.Select(b => b.Id));
    }
}
