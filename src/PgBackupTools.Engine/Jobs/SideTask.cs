namespace PgBackupTools.Engine.Jobs;

/// <summary>Work a job starts beside its main step, and must not leave running when that step fails.</summary>
internal static class SideTask
{
    /// <summary>Waits for a task whose outcome no longer matters, so it never runs on unobserved.</summary>
    public static async Task ObserveQuietlyAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The caller is already failing with the error that counts.
        }
    }
}
