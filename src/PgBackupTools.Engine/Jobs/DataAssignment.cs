namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Chooses the data worker for each table of a parallel restore, largest table first. Two costs count:
/// <list type="bullet">
/// <item>COPY bytes, which the server loads: the busiest worker sets the end of the data phase;</item>
/// <item>decoding: every worker's stream is decrypted and decompressed from the start of the archive to the end of
/// its last table, including what it skips. Worker 0 reads the whole archive anyway, to authenticate it; any other
/// worker decodes up to its last table, for nothing but skipping.</item>
/// </list>
/// So a small table that lies after a big one in the archive joins the worker that reads that far already,
/// instead of sending a second stream through the big one.
/// </summary>
internal sealed class DataAssignment
{
    // Decoding (AES-GCM, zstd, filter, pipe) a byte costs about a tenth of the server's COPY of that byte.
    private const double DecodeWeight = 0.1;

    private readonly long[] _copyBytes;
    private readonly long[] _reach;

    public DataAssignment(int workers, long largeObjectBytes)
    {
        _copyBytes = new long[workers];
        _reach = new long[workers];
        _copyBytes[0] = largeObjectBytes;
    }

    /// <summary>Assigns a table of <paramref name="bytes"/> COPY bytes whose data ends at <paramref name="end"/> in the archive; returns its worker.</summary>
    public int Add(long bytes, long end)
    {
        var best = 0;
        var bestCost = double.MaxValue;
        for (var worker = 0; worker < _copyBytes.Length; worker++)
        {
            var cost = CostWith(worker, bytes, end);
            // On a tie, the less loaded worker; then the lower index.
            if (cost < bestCost - 1e-9 || (Math.Abs(cost - bestCost) <= 1e-9 && _copyBytes[worker] < _copyBytes[best]))
            {
                best = worker;
                bestCost = cost;
            }
        }

        _copyBytes[best] += bytes;
        _reach[best] = Math.Max(_reach[best], end);
        return best;
    }

    private double CostWith(int worker, long bytes, long end)
    {
        long busiest = 0;
        double extraDecoding = 0;
        for (var w = 0; w < _copyBytes.Length; w++)
        {
            var copy = _copyBytes[w] + (w == worker ? bytes : 0);
            var reach = w == worker ? Math.Max(_reach[w], end) : _reach[w];
            busiest = Math.Max(busiest, copy);
            extraDecoding += w == 0 ? 0 : reach;
        }

        return busiest + (DecodeWeight * extraDecoding);
    }
}
