using PgBackupTools.Engine.Wal;
using Xunit;

namespace PgBackupTools.Tests.Wal;

public sealed class WalFileNameTests
{
    private const int Mb16 = 16 * 1024 * 1024;

    [Theory]
    [InlineData("000000010000000000000001", WalFileKind.Segment, 1u, 1ul)]
    [InlineData("0000000200000003000000FF", WalFileKind.Segment, 2u, 3ul * 256 + 255)]
    [InlineData("00000002.history", WalFileKind.History, 2u, 0ul)]
    [InlineData("000000010000000000000002.00000028.backup", WalFileKind.BackupHistory, 1u, 2ul)]
    [InlineData("000000010000000000000005.partial", WalFileKind.Partial, 1u, 5ul)]
    public void Parses_every_kind_postgres_archives(string text, WalFileKind kind, uint timeline, ulong segment)
    {
        var name = WalFileName.Parse(text, Mb16);
        Assert.Equal(kind, name.Kind);
        Assert.Equal(timeline, name.Timeline);
        Assert.Equal(segment, name.SegmentNumber);
        Assert.Equal(text, name.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("00000001000000000000001")]
    [InlineData("0000000100000000000001000")]
    [InlineData("000000010000000000000100")] // segment 0x100 does not exist with 16 MiB segments
    [InlineData("00000000.history")]
    [InlineData("000000000000000000000001")] // timeline 0 does not exist
    [InlineData("00000001000000000000000a")] // PostgreSQL writes upper case
    [InlineData("000000010000000000000001.tmp")]
    [InlineData("../../etc/passwd")]
    public void Rejects_what_postgres_never_writes(string text) =>
        Assert.False(WalFileName.TryParse(text, Mb16, out _));

    [Fact]
    public void Segment_numbers_depend_on_the_segment_size()
    {
        Assert.Equal("000000010000000100000000", WalFileName.Segment(1, 256, Mb16).Name);
        Assert.Equal("000000010000000000000100", WalFileName.Segment(1, 256, 1 << 20).Name);
        Assert.Equal(256ul, WalFileName.Parse("000000010000000000000100", 1 << 20).SegmentNumber);
    }

    [Fact]
    public void The_segment_of_an_lsn_is_the_one_postgres_names()
    {
        Assert.Equal("000000010000000000000002", WalFileName.ForLsn(1, Lsn.Parse("0/2000028"), Mb16).Name);
        Assert.Equal("00000003000000160000005B", WalFileName.ForLsn(3, Lsn.Parse("16/5B374D48"), Mb16).Name);
    }

    [Fact]
    public void Segments_of_one_timeline_and_xlogid_share_a_folder()
    {
        Assert.Equal("0000000100000000", WalFileName.Parse("00000001000000000000002A", Mb16).DirectoryKey);
        Assert.Equal("0000000100000000", WalFileName.Parse("00000001000000000000002A.00000028.backup", Mb16).DirectoryKey);
        Assert.Equal("history", WalFileName.Parse("00000002.history", Mb16).DirectoryKey);
    }
}
