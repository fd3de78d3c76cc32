using System.Globalization;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Wal;
using PgBackupTools.Tests.Crypto;
using PgBackupTools.Tests.Repository;
using Xunit;

namespace PgBackupTools.Tests.Wal;

public sealed class WalRetentionTests : IDisposable
{
    private readonly TestRepository _repository = new();
    private readonly TempDirectory _pgWal = new();
    private readonly Engine.Repository.RepositorySession _session;
    private readonly WalArchive _archive;

    public WalRetentionTests()
    {
        _session = _repository.OpenUnlocked();
        _archive = WalArchive.Open(_session, SyntheticWal.SystemId);
    }

    private async Task ArchiveSegmentsAsync(uint timeline, params ulong[] segments)
    {
        foreach (var segment in segments)
        {
            var path = SyntheticWal.WriteSegment(_pgWal.Path, timeline, segment);
            await WalPush.PushAsync(_archive, path, SyntheticWal.Name(timeline, segment), CompressionSettings.Default, TimeProvider.System, default);
        }
    }

    private static Backup Physical(string id, ulong startSegment, string? systemId = null, BackupType type = BackupType.Physical) => new()
    {
        Id = id,
        Database = "(cluster)",
        Server = "h:5432",
        Type = type,
        Status = BackupStatus.Complete,
        Repository = "/r",
        Path = "/r/backups/" + id,
        Timeline = 1,
        StartLsn = new Lsn(startSegment * SyntheticWal.SegmentSize + 0x28).ToString(),
        SystemIdentifier = systemId ?? SyntheticWal.SystemId.ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Only_wal_older_than_the_oldest_retained_physical_backup_goes()
    {
        await ArchiveSegmentsAsync(1, 1, 2, 3, 4, 5, 6, 7);
        var history = _pgWal.File("00000002.history");
        await File.WriteAllTextAsync(history, "1\t0/100000\tx\n");
        await WalPush.PushAsync(_archive, history, "00000002.history", CompressionSettings.Default, TimeProvider.System, default);

        var plan = WalRetention.Plan(_archive, [Physical("b7", 6), Physical("b4", 4)]);

        Assert.Equal("b4", plan.OldestBackupId);
        Assert.Equal(SyntheticWal.Name(1, 4), plan.KeepFrom!.Name);
        Assert.Equal([1ul, 2, 3], plan.Remove.Select(f => f.Name.SegmentNumber));
        Assert.Equal((3, plan.Bytes), WalRetention.Apply(plan));
        var left = _archive.List();
        Assert.Equal([4ul, 5, 6, 7], left.Where(f => f.Name.Kind == WalFileKind.Segment).Select(f => f.Name.SegmentNumber).Order().ToArray());
        Assert.Contains(left, f => f.Name.Kind == WalFileKind.History);
    }

    [Fact]
    public async Task Without_a_physical_backup_of_the_cluster_all_wal_stays()
    {
        await ArchiveSegmentsAsync(1, 1, 2, 3);
        Assert.Empty(WalRetention.Plan(_archive, []).Remove);
        Assert.Empty(WalRetention.Plan(_archive, [Physical("other", 3, systemId: "1")]).Remove);
        Assert.Empty(WalRetention.Plan(_archive, [Physical("logical", 3, type: BackupType.Logical)]).Remove);
    }

    [Fact]
    public async Task Older_timelines_below_the_cut_go_too_and_a_second_run_removes_nothing_more()
    {
        await ArchiveSegmentsAsync(1, 1, 2, 3);
        await ArchiveSegmentsAsync(2, 3, 4);
        var plan = WalRetention.Plan(_archive, [Physical("b", 3)]);
        Assert.Equal([SyntheticWal.Name(1, 1), SyntheticWal.Name(1, 2)], plan.Remove.Select(f => f.Name.Name));
        WalRetention.Apply(plan);
        Assert.Empty(WalRetention.Plan(_archive, [Physical("b", 3)]).Remove);
    }

    public void Dispose()
    {
        _archive.Dispose();
        _session.Dispose();
        _repository.Dispose();
        _pgWal.Dispose();
    }
}
