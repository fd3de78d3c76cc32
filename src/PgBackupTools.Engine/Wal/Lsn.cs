using System.Globalization;

namespace PgBackupTools.Engine.Wal;

/// <summary>A PostgreSQL write-ahead log location (pg_lsn): 64 bits, written as two hex halves "16/B374D848".</summary>
public readonly record struct Lsn(ulong Value) : IComparable<Lsn>
{
    public static readonly Lsn Invalid = new(0);

    public static Lsn Parse(string text) => TryParse(text, out var lsn)
        ? lsn
        : throw new FormatException($"'{text}' is not a WAL location (expected two hex numbers like 0/5000028).");

    public static bool TryParse(string? text, out Lsn lsn)
    {
        lsn = Invalid;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash is <= 0 or > 8 || text.Length - slash - 1 is < 1 or > 8)
        {
            return false;
        }

        if (!uint.TryParse(text.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        lsn = new Lsn(((ulong)high << 32) | low);
        return true;
    }

    /// <summary>The number of the WAL segment that holds this location.</summary>
    public ulong SegmentNumber(int segmentSize) => Value / (ulong)segmentSize;

    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    public static bool operator <(Lsn left, Lsn right) => left.Value < right.Value;

    public static bool operator >(Lsn left, Lsn right) => left.Value > right.Value;

    public static bool operator <=(Lsn left, Lsn right) => left.Value <= right.Value;

    public static bool operator >=(Lsn left, Lsn right) => left.Value >= right.Value;

    /// <summary>As PostgreSQL prints it: upper-case hex, no padding ("0/5000028").</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(uint)(Value >> 32):X}/{(uint)Value:X}");
}
