namespace PgBackupTools.Engine.Pipeline;

/// <summary>
/// Holds a reader to a rate: after each block it waits until the bytes read so far are no longer ahead of it.
/// Reading a tool's pipe more slowly makes the tool wait on the full pipe, and the server it reads from with it:
/// that is how a logical backup's cost to a busy server is capped (pg_dump has no rate limit of its own). Time
/// spent below the rate (the schema at the start of a dump) is credited for one second at most, so a slow stretch
/// never buys a long burst at full speed later.
/// </summary>
public sealed class RatePacer
{
    private static readonly TimeSpan MaxCredit = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private long _origin;
    private long _bytes;

    public RatePacer(long bytesPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        BytesPerSecond = bytesPerSecond;
        _time = time;
        _origin = time.GetTimestamp();
    }

    public long BytesPerSecond { get; }

    /// <summary>Counts <paramref name="bytes"/> more, and waits while the total is ahead of the rate.</summary>
    public Task PaceAsync(int bytes, CancellationToken cancellationToken)
    {
        var dueBefore = Due(_bytes);
        var elapsed = _time.GetElapsedTime(_origin);
        if (elapsed - dueBefore > MaxCredit)
        {
            // Forget the credit beyond one second: move the origin forward by the excess.
            _origin += (long)((elapsed - dueBefore - MaxCredit).TotalSeconds * _time.TimestampFrequency);
            elapsed = dueBefore + MaxCredit;
        }

        _bytes += bytes;
        var ahead = Due(_bytes) - elapsed;
        return ahead > TimeSpan.Zero ? Task.Delay(ahead, _time, cancellationToken) : Task.CompletedTask;
    }

    private TimeSpan Due(long bytes) => TimeSpan.FromSeconds((double)bytes / BytesPerSecond);
}
