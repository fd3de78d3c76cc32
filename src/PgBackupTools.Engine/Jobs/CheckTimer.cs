using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Runs one verification check and turns its outcome into a <see cref="VerificationCheck"/>: an integrity
/// failure is Failed (the backup is bad), any other engine error is Error (the check could not run).
/// </summary>
internal static class CheckTimer
{
    public static async Task<VerificationCheck> RunAsync(string name, TimeProvider time, Func<Task<string>> check)
    {
        var started = time.GetTimestamp();
        try
        {
            var detail = await check().ConfigureAwait(false);
            return new VerificationCheck(name, VerificationStatus.Passed, detail, time.GetElapsedTime(started));
        }
        catch (IntegrityException ex)
        {
            return new VerificationCheck(name, VerificationStatus.Failed, ex.Message, time.GetElapsedTime(started));
        }
        catch (CheckFailedException ex)
        {
            return new VerificationCheck(name, VerificationStatus.Failed, ex.Message, time.GetElapsedTime(started));
        }
        catch (CheckSkippedException ex)
        {
            return new VerificationCheck(name, VerificationStatus.Skipped, ex.Message, time.GetElapsedTime(started));
        }
        catch (PgBackupException ex)
        {
            return new VerificationCheck(name, VerificationStatus.Error, $"{ex.ErrorId}: {ex.Message}", time.GetElapsedTime(started));
        }
        catch (Npgsql.NpgsqlException ex)
        {
            return new VerificationCheck(name, VerificationStatus.Error, ex.Message, time.GetElapsedTime(started));
        }
    }
}

/// <summary>The backup is wrong in a way a check found (row counts differ, an index is corrupt, pg_restore fails).</summary>
internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>The check could not run for a reason that is not the backup's fault (e.g. amcheck not installed).</summary>
internal sealed class CheckSkippedException(string message) : Exception(message);
