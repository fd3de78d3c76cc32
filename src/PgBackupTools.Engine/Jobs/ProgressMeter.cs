namespace PgBackupTools.Engine.Jobs;

/// <summary>Throttles byte-count progress to a few updates a second and formats size and rate.</summary>
internal sealed class ProgressMeter(IJobReporter reporter, int activityId, string activity, TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private long _lastReport = long.MinValue;

    public void Report(long bytesIn, long bytesStored, bool force = false)
    {
        var now = time.GetTimestamp();
        if (!force && _lastReport != long.MinValue && time.GetElapsedTime(_lastReport, now) < TimeSpan.FromMilliseconds(500))
        {
            return;
        }

        _lastReport = now;
        var seconds = Math.Max(0.001, time.GetElapsedTime(_started, now).TotalSeconds);
        reporter.Progress(new JobProgress(
            activityId,
            activity,
            $"{ByteSize.Format(bytesIn)} read, {ByteSize.Format(bytesStored)} stored, {ByteSize.Format((long)(bytesIn / seconds))}/s"));
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
