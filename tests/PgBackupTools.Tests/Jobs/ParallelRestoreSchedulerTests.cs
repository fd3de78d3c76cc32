using PgBackupTools.Engine.Jobs;
using Xunit;

namespace PgBackupTools.Tests.Jobs;

/// <summary>
/// The order in which the scheduler starts pg_restore processes. Each "process" here is a task the test ends by
/// hand; real restores through the scheduler are in the Pester Backup and Restore suites.
/// </summary>
public class ParallelRestoreSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Two tables, each loaded by its own worker, each with a primary key, and a foreign key between them.
    private static readonly ParallelRestorePlan TwoTables = new(
        2,
        [["1; a"], ["2; b"]],
        [new IndexGroup(["11; a_pkey"], 0, 100), new IndexGroup(["12; b_pkey"], 1, 50)],
        ["20; fk"]);

    [Fact]
    public async Task IndexesOfALoadedTableAreBuiltWhileAnotherTableStillLoads()
    {
        var plan = TwoTables;
        var processes = new FakeProcesses();
        var run = new ParallelRestoreScheduler(processes.Run).RunAsync(plan, CancellationToken.None);

        await processes.WaitStartedAsync("data #1", "data #2");
        processes.End("data #2");
        Assert.Equal(["12; b_pkey"], await processes.WaitStartedAsync("indexes #1"));
        Assert.False(processes.HasEnded("data #1"));
        Assert.False(processes.HasStarted("indexes #2"));

        processes.End("indexes #1");
        processes.End("data #1");
        Assert.Equal(["11; a_pkey"], await processes.WaitStartedAsync("indexes #2"));
        Assert.False(processes.HasStarted("post-data"));
        processes.End("indexes #2");
        Assert.Equal(["20; fk"], await processes.WaitStartedAsync("post-data"));
        processes.End("post-data");

        await run.WaitAsync(Patience);
        Assert.Equal(2, processes.MostAtOnce);
        Assert.True(processes.VerifiesWholeFile("data #1"));
        Assert.False(processes.VerifiesWholeFile("data #2"));
    }

    [Fact]
    public async Task ReadyIndexesShareTheFreeSlotsAndTablesWithoutDataStartAtOnce()
    {
        var plan = new ParallelRestorePlan(
            3,
            [["1; a"]],
            [new IndexGroup(["10; empty_pkey"], -1, 0), new IndexGroup(["11; a_pkey"], 0, 100), new IndexGroup(["12; a_b"], 0, 100)],
            []);
        var processes = new FakeProcesses();
        var run = new ParallelRestoreScheduler(processes.Run).RunAsync(plan, CancellationToken.None);

        await processes.WaitStartedAsync("data #1");
        Assert.Equal(["10; empty_pkey"], await processes.WaitStartedAsync("indexes #1"));
        processes.End("data #1");
        var second = await processes.WaitStartedAsync("indexes #2");
        var third = await processes.WaitStartedAsync("indexes #3");
        Assert.Equal(["11; a_pkey", "12; a_b"], second.Concat(third).Order());
        processes.End("indexes #1", "indexes #2", "indexes #3");

        await run.WaitAsync(Patience);
        Assert.Equal(3, processes.MostAtOnce);
    }

    [Fact]
    public async Task TheFirstFailureStopsTheOtherProcessesAndIsWhatTheCallerSees()
    {
        var plan = TwoTables;
        var processes = new FakeProcesses();
        var run = new ParallelRestoreScheduler(processes.Run).RunAsync(plan, CancellationToken.None);

        await processes.WaitStartedAsync("data #1", "data #2");
        processes.Fail("data #2", new InvalidOperationException("pg_restore (data #2) failed"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(Patience));
        Assert.Equal("pg_restore (data #2) failed", error.Message);
        Assert.True(processes.WasCancelled("data #1"));
        Assert.False(processes.HasStarted("indexes #1"));
        Assert.False(processes.HasStarted("post-data"));
    }

    [Fact]
    public async Task CancellingTheRestoreCancelsEveryProcess()
    {
        var plan = new ParallelRestorePlan(2, [["1; a"], ["2; b"]], [], []);
        var processes = new FakeProcesses();
        using var cancel = new CancellationTokenSource();
        var run = new ParallelRestoreScheduler(processes.Run).RunAsync(plan, cancel.Token);

        await processes.WaitStartedAsync("data #1", "data #2");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Patience));
        Assert.True(processes.WasCancelled("data #1"));
        Assert.True(processes.WasCancelled("data #2"));
    }

    private sealed class FakeProcesses
    {
        private readonly object _gate = new();
        private readonly Dictionary<string, (IReadOnlyList<string> Lines, bool Verify, TaskCompletionSource Exit)> _started = [];
        private readonly HashSet<string> _ended = [];
        private readonly HashSet<string> _cancelled = [];
        private int _running;

        public int MostAtOnce { get; private set; }

        public Task Run(string name, IReadOnlyList<string> lines, bool verifyWholeFile, CancellationToken token)
        {
            var exit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _started.Add(name, (lines, verifyWholeFile, exit));
                MostAtOnce = Math.Max(MostAtOnce, ++_running);
            }

            token.Register(() =>
            {
                lock (_gate)
                {
                    _cancelled.Add(name);
                }

                exit.TrySetCanceled(token);
            });
            return WaitExitAsync(name, exit.Task);
        }

        public async Task<IReadOnlyList<string>> WaitStartedAsync(params string[] names)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!names.All(HasStarted))
            {
                Assert.True(DateTime.UtcNow < deadline, $"Not started within {Patience}: {string.Join(", ", names.Where(n => !HasStarted(n)))}");
                await Task.Delay(5);
            }

            lock (_gate)
            {
                return _started[names[^1]].Lines;
            }
        }

        public bool HasStarted(string name)
        {
            lock (_gate)
            {
                return _started.ContainsKey(name);
            }
        }

        public bool HasEnded(string name)
        {
            lock (_gate)
            {
                return _ended.Contains(name);
            }
        }

        public bool WasCancelled(string name)
        {
            lock (_gate)
            {
                return _cancelled.Contains(name);
            }
        }

        public bool VerifiesWholeFile(string name)
        {
            lock (_gate)
            {
                return _started[name].Verify;
            }
        }

        public void End(params string[] names)
        {
            foreach (var name in names)
            {
                Exit(name).SetResult();
            }
        }

        public void Fail(string name, Exception error) => Exit(name).SetException(error);

        private TaskCompletionSource Exit(string name)
        {
            lock (_gate)
            {
                return _started[name].Exit;
            }
        }

        private async Task WaitExitAsync(string name, Task exit)
        {
            try
            {
                await exit;
            }
            finally
            {
                lock (_gate)
                {
                    _running--;
                    _ended.Add(name);
                }
            }
        }
    }
}
