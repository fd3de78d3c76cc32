using System.Diagnostics;
using System.Text;
using PgBackupTools.Engine.Postgres;
using Xunit;
using Xunit.Abstractions;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>
/// Scan speed and memory on a large synthetic table. The speed is printed, not asserted: it depends on the machine,
/// and Debug builds are several times slower than Release. What is asserted is the row count and that scanning
/// table data allocates next to nothing.
/// </summary>
public class CustomArchiveScannerThroughputTests(ITestOutputHelper output)
{
    private const int ReadSize = 1024 * 1024;
    private const long TotalBytes = 256L << 20;

    [Theory]
    [InlineData(1)]       // pg_dump -Z0 writes every COPY row as its own chunk
    [InlineData(10_000)]  // in case a pg_dump batches rows into big chunks
    public void ScansLargeTableDataWithoutAllocating(int rowsPerChunk)
    {
        var row = Encoding.UTF8.GetBytes("123456\tsome text of a typical row\t2024-01-01 12:00:00+00\t\\N\t42.5\tmore text here\n");
        var (body, rowsInBody) = Body(row, rowsPerChunk, targetBytes: 16 * 1024 * 1024);
        var repeats = (int)(TotalBytes / body.Length);
        var archive = new ArchiveScannerArchiveBuilder().AddTable(1, 2, "public", "big").Build();
        var scanner = new CustomArchiveScanner();
        scanner.Observe(archive);
        scanner.Observe(BlockStart(dumpId: 2));

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            // Pipe-sized reads, so chunk and read boundaries fall anywhere relative to each other.
            for (var offset = 0; offset < body.Length; offset += ReadSize)
                scanner.Observe(body.AsSpan(offset, Math.Min(ReadSize, body.Length - offset)));
        }

        stopwatch.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        scanner.Observe(BlockEnd());
        var result = scanner.Complete();

        var scanned = (double)body.Length * repeats;
        output.WriteLine(
            $"{rowsPerChunk} row(s) per chunk: {scanned / (1 << 20):N0} MiB in {stopwatch.Elapsed.TotalMilliseconds:N0} ms = " +
            $"{scanned / (1 << 20) / stopwatch.Elapsed.TotalSeconds:N0} MiB/s; {allocated} bytes allocated");
        Assert.Equal(rowsInBody * repeats, result.Tables.Single().Rows);
        Assert.True(allocated < 64 * 1024, $"scanning allocated {allocated} bytes");
    }

    /// <summary>Length-prefixed chunks of COPY rows, about <paramref name="targetBytes"/> long.</summary>
    private static (byte[] Body, long Rows) Body(byte[] row, int rowsPerChunk, int targetBytes)
    {
        using var stream = new MemoryStream(targetBytes + 1024 * 1024);
        var chunk = Enumerable.Repeat(row, rowsPerChunk).SelectMany(r => r).ToArray();
        long rows = 0;
        while (stream.Length < targetBytes)
        {
            WriteInt(stream, chunk.Length);
            stream.Write(chunk);
            rows += rowsPerChunk;
        }

        return (stream.ToArray(), rows);
    }

    private static byte[] BlockStart(int dumpId)
    {
        using var stream = new MemoryStream();
        stream.WriteByte(1); // BLK_DATA
        WriteInt(stream, dumpId);
        return stream.ToArray();
    }

    private static byte[] BlockEnd()
    {
        using var stream = new MemoryStream();
        var terminator = "\\.\n\n\n"u8;
        WriteInt(stream, terminator.Length);
        stream.Write(terminator);
        WriteInt(stream, 0);
        return stream.ToArray();
    }

    private static void WriteInt(Stream stream, int value)
    {
        stream.WriteByte(0);
        stream.Write(BitConverter.GetBytes(value)); // little-endian magnitude, as pg_dump writes it on every platform
    }
}
