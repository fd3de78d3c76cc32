using System.Globalization;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// A WAL file name as PostgreSQL writes it. A segment name is TTTTTTTTXXXXXXXXYYYYYYYY: timeline, then the
/// segment number split into "xlogid" (segments per 4 GiB) and the segment within it.
/// </summary>
public sealed record WalFileName
{
    public const int SegmentNameLength = 24;
    public const int DefaultSegmentSize = 16 * 1024 * 1024;

    private WalFileName(string name, WalFileKind kind, uint timeline, ulong segmentNumber)
    {
        Name = name;
        Kind = kind;
        Timeline = timeline;
        SegmentNumber = segmentNumber;
    }

    public string Name { get; }
    public WalFileKind Kind { get; }
    public uint Timeline { get; }

    /// <summary>The segment number (0 for a history file).</summary>
    public ulong SegmentNumber { get; }

    /// <summary>The 24-digit segment name this file belongs to (the history file's own name for history files).</summary>
    public string SegmentName => Kind == WalFileKind.History ? Name : Name[..SegmentNameLength];

    /// <summary>Timeline and xlogid: the first 16 digits, used to spread segments over folders of at most 4 GiB of WAL.</summary>
    public string DirectoryKey => Kind == WalFileKind.History ? "history" : Name[..16];

    public static bool IsValidSegmentSize(long size) => size is >= 1 << 20 and <= 1 << 30 && (size & (size - 1)) == 0;

    public static ulong SegmentsPerXLogId(int segmentSize) => 0x1_0000_0000UL / (ulong)segmentSize;

    public static WalFileName Segment(uint timeline, ulong segmentNumber, int segmentSize)
    {
        var perId = SegmentsPerXLogId(segmentSize);
        var name = string.Create(CultureInfo.InvariantCulture, $"{timeline:X8}{segmentNumber / perId:X8}{segmentNumber % perId:X8}");
        return new WalFileName(name, WalFileKind.Segment, timeline, segmentNumber);
    }

    public static WalFileName History(uint timeline) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{timeline:X8}.history"), WalFileKind.History, timeline, 0);

    /// <summary>The segment numbers holding the WAL from <paramref name="start"/> up to <paramref name="stop"/> (not included).</summary>
    public static (ulong First, ulong Last) SegmentRange(Lsn start, Lsn stop, int segmentSize) =>
        (start.SegmentNumber(segmentSize), new Lsn(stop.Value - 1).SegmentNumber(segmentSize));

    /// <summary>The segment holding <paramref name="lsn"/> on <paramref name="timeline"/>.</summary>
    public static WalFileName ForLsn(uint timeline, Lsn lsn, int segmentSize) => Segment(timeline, lsn.SegmentNumber(segmentSize), segmentSize);

    public static WalFileName Parse(string name, int segmentSize) => TryParse(name, segmentSize, out var parsed)
        ? parsed
        : throw new FormatException($"'{name}' is not a WAL file name PostgreSQL writes (segment, .history, .backup or .partial).");

    public static bool TryParse(string? name, int segmentSize, out WalFileName parsed)
    {
        parsed = null!;
        if (string.IsNullOrEmpty(name) || !IsValidSegmentSize(segmentSize))
        {
            return false;
        }

        if (name.Length == 16 && name.EndsWith(".history", StringComparison.Ordinal))
        {
            if (!TryHex(name.AsSpan(0, 8), out var tli) || tli == 0)
            {
                return false;
            }

            parsed = new WalFileName(name, WalFileKind.History, tli, 0);
            return true;
        }

        if (name.Length < SegmentNameLength
            || !TryHex(name.AsSpan(0, 8), out var timeline) || timeline == 0
            || !TryHex(name.AsSpan(8, 8), out var xlogId)
            || !TryHex(name.AsSpan(16, 8), out var segmentInId))
        {
            return false;
        }

        var perId = SegmentsPerXLogId(segmentSize);
        if (segmentInId >= perId)
        {
            return false;
        }

        var rest = name.AsSpan(SegmentNameLength);
        WalFileKind kind;
        if (rest.IsEmpty)
        {
            kind = WalFileKind.Segment;
        }
        else if (rest.SequenceEqual(".partial"))
        {
            kind = WalFileKind.Partial;
        }
        else if (rest.Length == 16 && rest[0] == '.' && rest.EndsWith(".backup") && TryHex(rest.Slice(1, 8), out _))
        {
            kind = WalFileKind.BackupHistory;
        }
        else
        {
            return false;
        }

        parsed = new WalFileName(name, kind, timeline, xlogId * perId + segmentInId);
        return true;
    }

    public override string ToString() => Name;

    private static bool TryHex(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (c is not (>= '0' and <= '9') and not (>= 'A' and <= 'F'))
            {
                return false; // PostgreSQL writes upper case; anything else is not one of its files.
            }
        }

        return uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
