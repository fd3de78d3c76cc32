using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace PgBackupTools.Engine.Physical;

/// <summary>
/// Incremental CRC-32C (Castagnoli), the checksum pg_basebackup writes into backup_manifest with
/// --manifest-checksums=CRC32C. Uses the CPU's CRC32 instruction when there is one, slice-by-8 tables otherwise.
/// </summary>
public sealed class Crc32C
{
    private const uint Polynomial = 0x82F63B78;
    private static readonly uint[] Table = BuildTable();

    private uint _state = uint.MaxValue;

    public Crc32C()
    {
    }

    internal Crc32C(bool useHardware) => UseHardware = useHardware && IsHardwareAvailable;

    internal static bool IsHardwareAvailable => Sse42.IsSupported || Crc32.IsSupported;

    internal bool UseHardware { get; } = IsHardwareAvailable;

    public uint Value => ~_state;

    /// <summary>The value as 8 lower-case hex digits, most significant first ("123456789" gives e3069283).</summary>
    public string Hex => ToHex(Value);

    /// <summary>
    /// As backup_manifest writes it: PostgreSQL hex-encodes the checksum's bytes in memory order, so on a
    /// little-endian server "123456789" appears as 839206e3, not e3069283.
    /// </summary>
    public string ManifestHex => ToManifestHex(Value);

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32C();
        crc.Append(data);
        return crc.Value;
    }

    public static string ToHex(uint value) => value.ToString("x8", CultureInfo.InvariantCulture);

    public static string ToManifestHex(uint value) => ToHex(BinaryPrimitives.ReverseEndianness(value));

    /// <summary>
    /// Whether a backup_manifest checksum is this value. Both byte orders are accepted because the manifest holds
    /// the server's memory order, and a big-endian server (s390x) writes the other one.
    /// </summary>
    public static bool MatchesManifestHex(uint value, string? manifestHex) =>
        manifestHex is not null
        && (string.Equals(manifestHex, ToManifestHex(value), StringComparison.OrdinalIgnoreCase)
            || string.Equals(manifestHex, ToHex(value), StringComparison.OrdinalIgnoreCase));

    public void Append(ReadOnlySpan<byte> data) =>
        _state = UseHardware ? AppendHardware(_state, data) : AppendTable(_state, data);

    public void Reset() => _state = uint.MaxValue;

    private static uint AppendHardware(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            crc = (uint)wide;
        }
        else if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
        }

        foreach (var b in data)
        {
            crc = Sse42.IsSupported ? Sse42.Crc32(crc, b) : Crc32.ComputeCrc32C(crc, b);
        }

        return crc;
    }

    private static uint AppendTable(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Table;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[(7 * 256) + (low & 0xFF)] ^ t[(6 * 256) + ((low >> 8) & 0xFF)]
                ^ t[(5 * 256) + ((low >> 16) & 0xFF)] ^ t[(4 * 256) + (low >> 24)]
                ^ t[(3 * 256) + (high & 0xFF)] ^ t[(2 * 256) + ((high >> 8) & 0xFF)]
                ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }

            table[i] = c;
        }

        for (var slice = 1; slice < 8; slice++)
        {
            for (var i = 0; i < 256; i++)
            {
                var previous = table[((slice - 1) * 256) + i];
                table[(slice * 256) + i] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }

        return table;
    }
}
