using PgBackupTools.Engine.Wal;
using Xunit;

namespace PgBackupTools.Tests.Wal;

public sealed class WalPageHeaderTests
{
    private static readonly WalFileName Name3 = WalFileName.Segment(1, 3, SyntheticWal.SegmentSize);

    [Fact]
    public void Reads_a_postgres_15_long_header()
    {
        var header = WalPageHeader.Read(SyntheticWal.Segment(1, 3));
        Assert.Equal(15, header.MajorVersion);
        Assert.Equal(1u, header.Timeline);
        Assert.Equal(3ul * SyntheticWal.SegmentSize, header.PageAddress);
        Assert.Equal(SyntheticWal.SystemId, header.SystemIdentifier);
        Assert.Null(header.Check(Name3, SyntheticWal.SegmentSize, SyntheticWal.SystemId));
    }

    [Fact]
    public void A_segment_under_another_name_is_caught()
    {
        var header = WalPageHeader.Read(SyntheticWal.Segment(1, 2));
        Assert.Contains("0/200000", header.Check(Name3, SyntheticWal.SegmentSize, null));
        var otherTimeline = WalPageHeader.Read(SyntheticWal.Segment(2, 3));
        Assert.Contains("timeline 2", otherTimeline.Check(Name3, SyntheticWal.SegmentSize, null));
    }

    [Fact]
    public void A_segment_of_another_cluster_is_caught()
    {
        var header = WalPageHeader.Read(SyntheticWal.Segment(1, 3, systemId: 42));
        Assert.Contains("database system 42", header.Check(Name3, SyntheticWal.SegmentSize, SyntheticWal.SystemId));
    }

    [Fact]
    public void Garbage_and_truncated_files_are_caught()
    {
        var garbage = WalPageHeader.Read(new byte[WalPageHeader.Length]);
        Assert.Contains("magic", garbage.Check(Name3, SyntheticWal.SegmentSize, null));
        var header = WalPageHeader.Read(SyntheticWal.Segment(1, 3));
        Assert.Contains("bytes", header.Check(Name3, SyntheticWal.SegmentSize / 2, null));
    }
}
