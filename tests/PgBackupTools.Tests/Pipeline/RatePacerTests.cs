using Microsoft.Extensions.Time.Testing;
using PgBackupTools.Engine.Pipeline;
using Xunit;

namespace PgBackupTools.Tests.Pipeline;

public class RatePacerTests
{
    [Fact]
    public async Task Waits_until_the_bytes_read_are_no_longer_ahead_of_the_rate()
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(1000, time);

        var wait = pacer.PaceAsync(500, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));

        // 3,000 bytes in all take 3 s: at 1.5 s, 2,500 bytes more leave 1.5 s to wait.
        time.Advance(TimeSpan.FromSeconds(1));
        wait = pacer.PaceAsync(2500, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(1490));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(10));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Reading_slower_than_the_rate_never_waits()
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(1000, time);
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(pacer.PaceAsync(900, CancellationToken.None).IsCompleted);
        }
    }

    [Fact]
    public void A_slow_stretch_is_credited_for_one_second_only()
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(1000, time);
        time.Advance(TimeSpan.FromSeconds(60));

        // A minute idle buys one second at full speed, not sixty.
        Assert.True(pacer.PaceAsync(1000, CancellationToken.None).IsCompleted);
        var wait = pacer.PaceAsync(1000, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(wait.IsCompleted);
    }

    [Fact]
    public async Task Cancelling_ends_the_wait()
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(1000, time);
        using var cancel = new CancellationTokenSource();
        var wait = pacer.PaceAsync(10_000, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public void Refuses_a_rate_of_zero()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RatePacer(0, TimeProvider.System));
    }
}
