using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Writes the run record every backup run leaves, whether it succeeded, failed or was stopped (health reads them).</summary>
internal static class BackupRunRecorder
{
    /// <summary>Runs a backup and records its outcome, success or not; the exception, if any, goes on to the caller.</summary>
    public static async Task<Backup> RecordAroundAsync(
        JobContext context, RepositorySession repository, string runId, string server, string database, ILogger logger, Func<Task<Backup>> run, CancellationToken cancellationToken)
    {
        var started = context.Time.GetUtcNow();
        try
        {
            var backup = await run().ConfigureAwait(false);
            Record(context, repository, runId, server, database, started, RunOutcome.Succeeded, backup, null, logger);
            return backup;
        }
        catch (Exception ex)
        {
            Record(context, repository, runId, server, database, started, cancellationToken.IsCancellationRequested ? RunOutcome.Cancelled : RunOutcome.Failed, null, ex, logger);
            throw;
        }
    }

    public static void Record(
        JobContext context, RepositorySession repository, string runId, string server, string database, DateTimeOffset started, RunOutcome outcome, Backup? backup, Exception? error, ILogger logger)
    {
        var record = new RunRecord
        {
            RunId = runId,
            Database = database,
            Server = server,
            StartTime = started,
            EndTime = context.Time.GetUtcNow(),
            Outcome = outcome,
            BackupId = backup?.Id,
            ErrorId = error switch { PgBackupException e => e.ErrorId, OperationCanceledException => "OperationStopped", null => null, _ => "UnexpectedError" },
            Message = error?.Message,
            RawBytes = backup?.RawSizeBytes ?? 0,
            StoredBytes = backup?.SizeBytes ?? 0,
        };
        try
        {
            RunRecordStore.Write(repository.Layout, record, repository.IsUnlocked ? repository : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full or read-only repository cannot take the record; the run's own error says why.
            logger.Warning("Could not write the run record: {Reason}", ex.Message);
        }
    }
}
