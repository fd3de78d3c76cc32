using PgBackupTools.Engine.Wal;
using Xunit;

namespace PgBackupTools.Tests.Wal;

public sealed class TimelineHistoryTests
{
    private const int Mb16 = 16 * 1024 * 1024;

    [Fact]
    public void Parses_the_history_file_postgres_writes_at_promotion()
    {
        var history = TimelineHistory.Parse(3, "1\t0/5000128\tno recovery target specified\n\n2\t0/9000000\tat restore point \"before\"\n");
        Assert.Equal([1u, 2u, 3u], history.Timelines);
        Assert.Equal(Lsn.Parse("0/5000128"), history.Switches[0].SwitchPoint);
        Assert.Equal("at restore point \"before\"", history.Switches[1].Reason);
    }

    [Fact]
    public void Each_segment_comes_from_the_timeline_recovery_replays_it_from()
    {
        var history = TimelineHistory.Parse(3, "1\t0/5000128\tx\n2\t0/9000000\ty\n");
        Assert.Equal(1u, history.TimelineOf(4, Mb16));
        Assert.Equal(2u, history.TimelineOf(5, Mb16)); // the switch segment is copied onto the new timeline
        Assert.Equal(2u, history.TimelineOf(8, Mb16));
        Assert.Equal(3u, history.TimelineOf(9, Mb16));
        Assert.Equal(3u, history.TimelineOf(100, Mb16));
    }

    [Theory]
    [InlineData("1 0/5000128")]
    [InlineData("x\t0/5000128\tr")]
    [InlineData("3\t0/5000128\tr")]
    [InlineData("1\tnot-an-lsn\tr")]
    [InlineData("2\t0/9000000\tr\n1\t0/5000000\tr")]
    public void Rejects_damaged_history(string text) =>
        Assert.Throws<FormatException>(() => TimelineHistory.Parse(3, text));
}
