namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// How a job talks back while it runs. Called from worker threads; the cmdlet layer queues the calls and
/// replays them on the pipeline thread.
/// </summary>
public interface IJobReporter
{
    void Verbose(string message);

    void Warning(string message);

    void Progress(JobProgress progress);
}

/// <summary>One progress update. PercentComplete is -1 when the total is unknown (a pg_dump stream).</summary>
public sealed record JobProgress(int ActivityId, string Activity, string Status, int PercentComplete = -1, bool Completed = false);

/// <summary>Discards everything (tests and internal calls).</summary>
public sealed class NullJobReporter : IJobReporter
{
    public static NullJobReporter Instance { get; } = new();

    public void Verbose(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Progress(JobProgress progress)
    {
    }
}
