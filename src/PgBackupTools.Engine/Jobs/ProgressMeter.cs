namespace PgBackupTools.Engine.Jobs;

/// <summary>Throttles byte-count progress to a few updates a second and formats size and rate.</summary>
internal sealed class ProgressMeter(IJobReporter reporter, int activityId, string activity, TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private long _lastReport = long.MinValue;

    /// <summary>Backup: bytes read from pg_dump and bytes stored so far.</summary>
    public void Report(long bytesIn, long bytesStored, bool force = false) => ReportBackup(bytesIn, bytesStored, 0, force);

    /// <summary>Backup: as <see cref="Report"/>, with a percentage of the bytes the server expects to send (none when 0).</summary>
    public void ReportTowards(long bytesIn, long bytesStored, long expected) => ReportBackup(bytesIn, bytesStored, expected, false);

    private void ReportBackup(long bytesIn, long bytesStored, long expected, bool force)
    {
        if (Due(force, out var seconds))
        {
            var of = expected > 0 ? $" of about {ByteSize.Format(expected)}" : "";
            reporter.Progress(new JobProgress(
                activityId,
                activity,
                $"{ByteSize.Format(bytesIn)}{of} read, {ByteSize.Format(bytesStored)} stored, {ByteSize.Format((long)(bytesIn / seconds))}/s",
                expected > 0 ? (int)Math.Min(99, bytesIn * 100 / expected) : -1));
        }
    }

    /// <summary>Restore: plaintext bytes handed to pg_restore out of a known total.</summary>
    public void ReportOf(long done, long total)
    {
        if (Due(false, out var seconds))
        {
            var percent = total > 0 ? (int)Math.Min(99, done * 100 / total) : -1;
            reporter.Progress(new JobProgress(
                activityId,
                activity,
                $"{ByteSize.Format(done)} of {ByteSize.Format(total)}, {ByteSize.Format((long)(done / seconds))}/s",
                percent));
        }
    }

    private bool Due(bool force, out double seconds)
    {
        var now = time.GetTimestamp();
        seconds = Math.Max(0.001, time.GetElapsedTime(_started, now).TotalSeconds);
        if (!force && _lastReport != long.MinValue && time.GetElapsedTime(_lastReport, now) < TimeSpan.FromMilliseconds(500))
        {
            return false;
        }

        _lastReport = now;
        return true;
    }

    public void Complete() => reporter.Progress(new JobProgress(activityId, activity, "Done", 100, Completed: true));
}

internal static class ByteSize
{
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : $"{value:0.0} {units[unit]}";
    }
}
