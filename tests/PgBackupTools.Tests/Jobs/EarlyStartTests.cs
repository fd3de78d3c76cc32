using PgBackupTools.Engine.Jobs;
using Xunit;

namespace PgBackupTools.Tests.Jobs;

public class EarlyStartTests
{
    [Fact]
    public async Task DisposingCancelsWorkNobodyWaitedFor()
    {
        var cancelled = new TaskCompletionSource();
        var early = new EarlyStart<int>(async token =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(5), token);
            }
            catch (OperationCanceledException)
            {
                cancelled.SetResult();
                throw;
            }

            return 1;
        }, CancellationToken.None);

        var disposing = early.DisposeAsync().AsTask();

        Assert.Same(disposing, await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.True(cancelled.Task.IsCompleted);
        Assert.True(early.Task.IsCanceled);
    }

    [Fact]
    public async Task DisposingSwallowsAFailureNobodyWaitedFor()
    {
        var early = new EarlyStart<int>(_ => Task.FromException<int>(new InvalidOperationException("server unreachable")), CancellationToken.None);

        await early.DisposeAsync();

        Assert.True(early.Task.IsFaulted);
    }

    [Fact]
    public async Task GivesTheResultAndLeavesFinishedWorkAlone()
    {
        await using var early = new EarlyStart<int>(async token =>
        {
            await Task.Yield();
            return token.IsCancellationRequested ? -1 : 42;
        }, CancellationToken.None);

        Assert.Equal(42, await early.Task);
    }
}
