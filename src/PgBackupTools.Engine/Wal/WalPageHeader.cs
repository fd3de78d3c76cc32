using System.Buffers.Binary;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// The long page header at the start of every WAL segment (XLogLongPageHeaderData): it names the segment's
/// timeline, its position and the cluster it belongs to, so a file pushed or fetched under the wrong name,
/// from another cluster or recycled garbage is caught before it is stored or replayed.
/// </summary>
public sealed record WalPageHeader(ushort Magic, ushort Info, uint Timeline, ulong PageAddress, ulong SystemIdentifier, uint SegmentSize, uint BlockSize)
{
    public const int Length = 40;
    private const ushort LongHeaderFlag = 0x0002;

    /// <summary>XLOG_PAGE_MAGIC by major version: a segment written by another major version cannot be replayed.</summary>
    private static readonly Dictionary<ushort, int> MagicToMajor = new()
    {
        [0xD097] = 10,
        [0xD098] = 11,
        [0xD101] = 12,
        [0xD106] = 13,
        [0xD10D] = 14,
        [0xD110] = 15,
        [0xD113] = 16,
        [0xD116] = 17,
        [0xD118] = 18,
    };

    public int? MajorVersion => MagicToMajor.TryGetValue(Magic, out var major) ? major : null;

    /// <summary>Reads the header (WAL is written in the server's byte order; every supported platform is little-endian).</summary>
    public static WalPageHeader Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new ArgumentException($"A WAL long page header is {Length} bytes.", nameof(bytes));
        }

        return new WalPageHeader(
            BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[36..]));
    }

    /// <summary>
    /// The database system a segment file belongs to, from its first page; null when the file cannot be read or
    /// does not start with a WAL page header (history and backup history files have none).
    /// </summary>
    public static ulong? TryReadSystemIdentifier(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            var bytes = new byte[Length];
            if (file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
            {
                return null;
            }

            var header = Read(bytes);
            return header.MajorVersion is null ? null : header.SystemIdentifier;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Null when this header is the first page of <paramref name="name"/> with the given length; otherwise why not.
    /// <paramref name="systemIdentifier"/> is checked when known.
    /// </summary>
    public string? Check(WalFileName name, long fileLength, ulong? systemIdentifier)
    {
        if (MajorVersion is null)
        {
            return $"its first page does not start with a WAL page header (magic 0x{Magic:X4})";
        }

        if ((Info & LongHeaderFlag) == 0)
        {
            return "its first page has no long header, so it is not the start of a segment";
        }

        if (!WalFileName.IsValidSegmentSize(SegmentSize) || SegmentSize != fileLength)
        {
            return $"it is {fileLength} bytes but its header says segments are {SegmentSize} bytes";
        }

        if (Timeline != name.Timeline)
        {
            return $"its header says timeline {Timeline}, its name timeline {name.Timeline}";
        }

        var expected = name.SegmentNumber * SegmentSize;
        if (PageAddress != expected)
        {
            return $"its header says it starts at {new Lsn(PageAddress)}, but the name says {new Lsn(expected)}";
        }

        if (systemIdentifier is { } id && SystemIdentifier != id)
        {
            return $"it belongs to database system {SystemIdentifier}, not {id}";
        }

        return null;
    }
}
