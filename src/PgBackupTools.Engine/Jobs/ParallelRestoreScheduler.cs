using System.Runtime.ExceptionServices;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Runs the data and index phases of a <see cref="ParallelRestorePlan"/> on at most <see cref="ParallelRestorePlan.Jobs"/> pg_restore processes
/// at once, as pg_restore -j does: a table's indexes are built as soon as the worker that loads it has finished,
/// while the other workers still load theirs. The rest of post-data runs last, alone, after every index exists.
/// One failure cancels every other process, and that first failure is what the caller sees.
/// </summary>
/// <param name="run">Runs one pg_restore: its name (for the log), its list lines, whether it authenticates the whole archive.</param>
internal sealed class ParallelRestoreScheduler(Func<string, IReadOnlyList<string>, bool, CancellationToken, Task> run)
{
    public async Task RunAsync(ParallelRestorePlan plan, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new Dictionary<Task, int>();
        var waiting = plan.IndexGroups.ToList();
        var ready = new List<IndexGroup>();
        var batches = 0;
        ExceptionDispatchInfo? error = null;

        for (var worker = 0; worker < plan.DataWorkers.Count; worker++)
        {
            running.Add(run($"data #{worker + 1}", plan.DataWorkers[worker], worker == 0, failed.Token), worker);
        }

        MoveReady(waiting, ready, group => group.DataWorker < 0 || group.DataWorker >= plan.DataWorkers.Count);
        while (true)
        {
            if (error is null)
            {
                foreach (var batch in Batches(ready, plan.Jobs - running.Count))
                {
                    running.Add(run($"indexes #{++batches}", batch, false, failed.Token), -1);
                }
            }

            if (running.Count == 0)
            {
                break;
            }

            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            var finishedWorker = running[done];
            running.Remove(done);
            try
            {
                await done.ConfigureAwait(false);
                if (finishedWorker >= 0)
                {
                    MoveReady(waiting, ready, group => group.DataWorker == finishedWorker);
                }
            }
            catch (Exception ex) when (error is null)
            {
                error = ExceptionDispatchInfo.Capture(ex);
                await failed.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A sibling cancelled after the first failure, or a second failure: the first one is reported.
            }
        }

        error?.Throw();
        if (plan.RemainingPostData.Count > 0)
        {
            await run("post-data", plan.RemainingPostData, false, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void MoveReady(List<IndexGroup> waiting, List<IndexGroup> ready, Func<IndexGroup, bool> isReady)
    {
        ready.AddRange(waiting.Where(isReady));
        waiting.RemoveAll(group => isReady(group));
        ready.Sort((a, b) => b.TableBytes.CompareTo(a.TableBytes));
    }

    /// <summary>Spreads the ready groups over the free slots, largest table first onto the least loaded batch; empties <paramref name="ready"/>.</summary>
    private static List<List<string>> Batches(List<IndexGroup> ready, int freeSlots)
    {
        var count = Math.Min(freeSlots, ready.Count);
        if (count <= 0)
        {
            return [];
        }

        var batches = Enumerable.Range(0, count).Select(_ => new List<string>()).ToList();
        var load = new long[count];
        foreach (var group in ready)
        {
            var least = Array.IndexOf(load, load.Min());
            batches[least].AddRange(group.Lines);
            load[least] += Math.Max(1, group.TableBytes);
        }

        ready.Clear();
        return batches;
    }
}
