using System.Text;

namespace PgBackupTools.Engine.Physical;

/// <summary>One 512-byte ustar/GNU/v7 header block, decoded but without PAX or long-name overrides.</summary>
internal readonly record struct TarHeader(char TypeFlag, string Name, string LinkName, long Size, int Mode, long ModificationTime)
{
    public const int BlockSize = 512;

    public static bool IsZeroBlock(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    public static TarHeader Parse(ReadOnlySpan<byte> block, long offset)
    {
        VerifyChecksum(block, offset);

        var magic = block.Slice(257, 6);
        var isPosix = magic.SequenceEqual("ustar\0"u8);
        if (!isPosix && !magic.SequenceEqual("ustar "u8) && !TarHeader.IsZeroBlock(magic))
        {
            throw TarErrors.InvalidHeader(offset, "unknown magic (expected ustar)");
        }

        var name = ReadString(block[..100]);
        if (isPosix)
        {
            var prefix = ReadString(block.Slice(345, 155));
            if (prefix.Length > 0)
            {
                name = prefix + "/" + name;
            }
        }

        var typeFlag = block[156] == 0 ? '0' : (char)block[156];
        return new TarHeader(
            typeFlag,
            name,
            ReadString(block.Slice(157, 100)),
            ReadNumber(block.Slice(124, 12), "size", offset),
            (int)(ReadNumber(block.Slice(100, 8), "mode", offset) & 0xFFF),
            ReadNumber(block.Slice(136, 12), "mtime", offset));
    }

    /// <summary>The checksum is the sum of all header bytes with its own field taken as spaces; historic tars summed signed bytes.</summary>
    private static void VerifyChecksum(ReadOnlySpan<byte> block, long offset)
    {
        var stored = ReadNumber(block.Slice(148, 8), "checksum", offset);
        long unsignedSum = 0;
        long signedSum = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : block[i];
            unsignedSum += b;
            signedSum += (sbyte)b;
        }

        if (stored != unsignedSum && stored != signedSum)
        {
            throw TarErrors.InvalidHeader(offset, $"header checksum mismatch (stored {stored}, computed {unsignedSum})");
        }
    }

    private static string ReadString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    /// <summary>Octal digits (space or NUL padded), or base-256 big-endian when the first byte's high bit is set (GNU, for values over 8 GiB).</summary>
    internal static long ReadNumber(ReadOnlySpan<byte> field, string fieldName, long offset)
    {
        if ((field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0)
            {
                throw TarErrors.InvalidHeader(offset, $"negative base-256 {fieldName}");
            }

            long binary = field[0] & 0x3F;
            foreach (var b in field[1..])
            {
                if (binary > (long.MaxValue >> 8))
                {
                    throw TarErrors.InvalidHeader(offset, $"{fieldName} is too large");
                }

                binary = (binary << 8) | b;
            }

            return binary;
        }

        var i = 0;
        while (i < field.Length && field[i] == ' ')
        {
            i++;
        }

        long value = 0;
        for (; i < field.Length && field[i] is not (0 or (byte)' '); i++)
        {
            if (field[i] is < (byte)'0' or > (byte)'7')
            {
                throw TarErrors.InvalidHeader(offset, $"{fieldName} field is not an octal number");
            }

            value = (value << 3) | (long)(field[i] - '0');
        }

        for (; i < field.Length; i++)
        {
            if (field[i] is not (0 or (byte)' '))
            {
                throw TarErrors.InvalidHeader(offset, $"{fieldName} field has characters after its number");
            }
        }

        return value;
    }
}
