using PgBackupTools.Engine.Wal;
using Xunit;

namespace PgBackupTools.Tests.Wal;

public sealed class WalContinuityTests
{
    private const int Size = SyntheticWal.SegmentSize;

    private static IEnumerable<WalFileName> Segments(uint timeline, params ulong[] numbers) =>
        numbers.Select(n => WalFileName.Segment(timeline, n, Size));

    [Fact]
    public void A_complete_run_has_no_gaps()
    {
        var report = WalContinuity.Check(Segments(1, 3, 4, 5, 6), TimelineHistory.Initial(), Size);
        Assert.True(report.IsContinuous);
        Assert.Equal("000000010000000000000003", report.Oldest!.Name);
        Assert.Equal("000000010000000000000006", report.Newest!.Name);
        Assert.Equal(4ul, report.SegmentCount);
    }

    [Fact]
    public void Holes_are_reported_with_their_first_and_last_segment()
    {
        var report = WalContinuity.Check(Segments(1, 3, 5, 9, 10), TimelineHistory.Initial(), Size);
        Assert.Equal(2, report.Gaps.Count);
        Assert.Equal("000000010000000000000004", report.Gaps[0].ToString());
        Assert.Equal("000000010000000000000006 to 000000010000000000000008 (3 segments)", report.Gaps[1].ToString());
    }

    [Fact]
    public void Missing_segments_at_the_start_of_a_required_range_are_a_gap()
    {
        var report = WalContinuity.Check(Segments(1, 5, 6), TimelineHistory.Initial(), Size, from: 3);
        Assert.Equal("000000010000000000000003 to 000000010000000000000004 (2 segments)", report.Gaps.Single().ToString());
    }

    [Fact]
    public void A_timeline_switch_is_followed_and_abandoned_segments_are_ignored()
    {
        // Timeline 1 went on to segment 8 on the old primary, but timeline 2 branched in segment 5.
        var present = Segments(1, 3, 4, 5, 6, 7, 8).Concat(Segments(2, 5, 6));
        var history = TimelineHistory.Parse(2, "1\t0/500A000\tpromoted\n");
        var report = WalContinuity.Check(present, history, 16 * 1024 * 1024);
        Assert.True(report.IsContinuous);
        Assert.Equal("000000020000000000000006", report.Newest!.Name);

        var missingSwitchCopy = Segments(1, 3, 4, 5).Concat(Segments(2, 6));
        var broken = WalContinuity.Check(missingSwitchCopy, history, 16 * 1024 * 1024);
        Assert.Equal("000000020000000000000005", broken.Gaps.Single().ToString());
    }

    [Fact]
    public void Nothing_archived_is_reported_as_empty()
    {
        var report = WalContinuity.Check([], TimelineHistory.Initial(), Size);
        Assert.Null(report.Newest);
        Assert.Equal(0ul, report.SegmentCount);
    }
}
