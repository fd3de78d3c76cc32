using System.Collections.Concurrent;
using System.Management.Automation;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>
/// Base of every cmdlet: runs engine work on a worker thread with a CancellationToken that Ctrl+C
/// (StopProcessing) cancels, replays the engine's verbose/warning/progress messages on the pipeline thread,
/// and turns engine exceptions into ErrorRecords with the engine's stable ErrorId.
/// </summary>
public abstract class PgBackupCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    protected CancellationToken StopToken => _stopping.Token;

    protected sealed override void ProcessRecord()
    {
        try
        {
            ProcessRecordCore();
        }
        catch (PgBackupException ex)
        {
            WriteError(ErrorRecords.From(ex));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    protected abstract void ProcessRecordCore();

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Runs engine work and pumps its messages until it finishes; rethrows its exception here.</summary>
    protected T RunEngine<T>(Func<JobContext, CancellationToken, Task<T>> work)
    {
        using var queue = new BlockingCollection<Action>();
        var context = new JobContext { Reporter = new QueueReporter(queue, this), LogPath = LogPathOrNull() };
        var task = Task.Run(() => work(context, _stopping.Token), _stopping.Token);
        task.ContinueWith(_ => queue.CompleteAdding(), TaskScheduler.Default);
        PipelineStoppedException? stopped = null;
        foreach (var action in queue.GetConsumingEnumerable())
        {
            if (stopped is not null)
            {
                continue;
            }

            try
            {
                action();
            }
            catch (PipelineStoppedException ex)
            {
                // Keep draining until the engine has cleaned up (killed pg_dump, removed the partial backup).
                stopped = ex;
                _stopping.Cancel();
            }
        }

        if (stopped is not null)
        {
            throw stopped;
        }

        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not PgBackupException and not OperationCanceledException and not PipelineStoppedException)
        {
            throw new PgBackupException(
                "UnexpectedError",
                ErrorKind.NotSpecified,
                $"{MyInvocation.MyCommand.Name} failed unexpectedly: {ex.Message} (details in $Error[0].Exception; please report this).",
                ex);
        }
    }

    /// <summary>
    /// Sends an alert through the channels of a notification config file. A channel that fails is a warning
    /// (NotificationFailed): an alert must never hide or change the result of the work it reports on.
    /// </summary>
    protected void SendAlert(string configPath, Engine.Notify.Alert alert)
    {
        var config = Engine.Notify.NotificationConfigReader.Load(configPath);
        var results = RunEngine((context, token) => new Engine.Notify.NotificationJob(context).RunAsync(alert, config, false, token));
        foreach (var result in results)
        {
            if (result.Status == NotificationStatus.Failed)
            {
                WriteWarning($"NotificationFailed: '{alert.Title}' could not be sent via {result.Channel}: {result.Detail}");
            }
            else
            {
                WriteVerbose($"Alert '{alert.Title}' via {result.Channel}: {result.Status} ({result.Kind})");
            }
        }
    }

    /// <summary>Overridden by cmdlets with a -LogPath parameter.</summary>
    protected virtual string? LogPathOrNull() => null;

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class QueueReporter(BlockingCollection<Action> queue, PSCmdlet cmdlet) : IJobReporter
    {
        public void Verbose(string message) => Post(c => c.WriteVerbose(message));

        public void Warning(string message) => Post(c => c.WriteWarning(message));

        public void Progress(JobProgress progress) => Post(c =>
        {
            var record = new ProgressRecord(progress.ActivityId, progress.Activity, string.IsNullOrEmpty(progress.Status) ? " " : progress.Status)
            {
                PercentComplete = progress.PercentComplete,
                RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            c.WriteProgress(record);
        });

        private void Post(Action<PSCmdlet> action)
        {
            try
            {
                queue.Add(() => action(cmdlet));
            }
            catch (InvalidOperationException)
            {
                // The job finished; a message that raced its end is dropped.
            }
        }
    }
}
