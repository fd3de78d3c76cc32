using System.Buffers.Binary;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Tests.Wal;

/// <summary>WAL files with real long page headers and random content, at the smallest segment size (1 MiB).</summary>
internal static class SyntheticWal
{
    public const int SegmentSize = 1 << 20;
    public const ulong SystemId = 7715071594177792180;

    public static byte[] Segment(uint timeline, ulong segmentNumber, ulong systemId = SystemId, int seed = 0, int segmentSize = SegmentSize)
    {
        var bytes = new byte[segmentSize];
        // Mostly compressible like real WAL, with some noise so compression and tags differ per segment.
        new Random(seed == 0 ? (int)segmentNumber * 31 + (int)timeline : seed).NextBytes(bytes.AsSpan(0, segmentSize / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xD110);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), 0x0002);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), timeline);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), segmentNumber * (ulong)segmentSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), systemId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(32), (uint)segmentSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(36), 8192);
        return bytes;
    }

    public static string Name(uint timeline, ulong segmentNumber) => WalFileName.Segment(timeline, segmentNumber, SegmentSize).Name;

    /// <summary>Writes a segment into <paramref name="directory"/> as PostgreSQL's pg_wal would hold it; returns its path.</summary>
    public static string WriteSegment(string directory, uint timeline, ulong segmentNumber, int seed = 0)
    {
        var path = Path.Combine(directory, Name(timeline, segmentNumber));
        File.WriteAllBytes(path, Segment(timeline, segmentNumber, seed: seed));
        return path;
    }
}
