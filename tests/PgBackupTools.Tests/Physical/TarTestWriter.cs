using System.Globalization;
using System.Text;

namespace PgBackupTools.Tests.Physical;

/// <summary>A minimal tar writer for tests: ustar headers as pg_basebackup writes them, plus PAX, GNU long names and raw blocks.</summary>
internal sealed class TarTestWriter
{
    private readonly MemoryStream _stream = new();

    public static DateTimeOffset DefaultTime { get; } = new(2026, 12, 3, 13, 40, 1, TimeSpan.Zero);

    public TarTestWriter File(string name, byte[] content, int mode = 0x180)
    {
        WriteHeader(name, '0', content.Length, mode);
        WriteData(content);
        return this;
    }

    public TarTestWriter File(string name, string content) => File(name, Encoding.UTF8.GetBytes(content));

    public TarTestWriter Directory(string name) => Header(name, '5', 0, 0x1C0);

    public TarTestWriter Symlink(string name, string target) => Header(name, '2', 0, 0x1FF, target);

    public TarTestWriter Header(string name, char type, long size, int mode, string linkName = "")
    {
        WriteHeader(name, type, size, mode, linkName);
        return this;
    }

    /// <summary>Raw entry data, padded to 512 bytes.</summary>
    public TarTestWriter Data(byte[] content)
    {
        WriteData(content);
        return this;
    }

    public TarTestWriter Pax(params (string Key, string Value)[] records) => Extended('x', "././@PaxHeader", PaxBody(records));

    public TarTestWriter GlobalPax(params (string Key, string Value)[] records) => Extended('g', "pax_global_header", PaxBody(records));

    public TarTestWriter GnuLongName(string name) => Extended('L', "././@LongLink", Encoding.UTF8.GetBytes(name + "\0"));

    public TarTestWriter End()
    {
        _stream.Write(new byte[1024]);
        return this;
    }

    public TarTestWriter Raw(byte[] bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _stream.ToArray();

    public static byte[] BuildHeader(string name, char type, long size, int mode, string linkName = "", DateTimeOffset? time = null)
    {
        var header = new byte[512];
        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > 100)
        {
            // ustar: split at a "/" so the last part fits the 100-byte name and the rest the 155-byte prefix.
            var split = Array.LastIndexOf(nameBytes, (byte)'/', nameBytes.Length - 1);
            while (split > 155 || nameBytes.Length - split - 1 > 100)
            {
                split = split > 0 ? Array.LastIndexOf(nameBytes, (byte)'/', split - 1) : -1;
                if (split < 0)
                {
                    throw new ArgumentException("name does not fit ustar", nameof(name));
                }
            }

            nameBytes.AsSpan(0, split).CopyTo(header.AsSpan(345));
            nameBytes = nameBytes[(split + 1)..];
        }

        nameBytes.CopyTo(header, 0);
        Octal(header, 100, 8, mode);
        Octal(header, 108, 8, 26);
        Octal(header, 116, 8, 26);
        if (size > 077777777777L)
        {
            header[124] = 0x80;
            for (var i = 0; i < 8; i++)
            {
                header[135 - i] = (byte)(size >> (8 * i));
            }
        }
        else
        {
            Octal(header, 124, 12, size);
        }

        Octal(header, 136, 12, (time ?? DefaultTime).ToUnixTimeSeconds());
        header[156] = (byte)type;
        Encoding.UTF8.GetBytes(linkName).CopyTo(header, 157);
        "ustar\000"u8.CopyTo(header.AsSpan(257));
        "postgres"u8.CopyTo(header.AsSpan(265));
        "postgres"u8.CopyTo(header.AsSpan(297));
        SetChecksum(header);
        return header;
    }

    public static void SetChecksum(byte[] header)
    {
        header.AsSpan(148, 8).Fill((byte)' ');
        var sum = header.Sum(b => (int)b);
        Octal(header, 148, 8, sum);
    }

    private TarTestWriter Extended(char type, string name, byte[] body)
    {
        WriteHeader(name, type, body.Length, 0x1A4);
        WriteData(body);
        return this;
    }

    private static byte[] PaxBody((string Key, string Value)[] records)
    {
        var body = new StringBuilder();
        foreach (var (key, value) in records)
        {
            var rest = " " + key + "=" + value + "\n";
            var restLength = Encoding.UTF8.GetByteCount(rest);
            var length = restLength + 1;
            while (length.ToString(CultureInfo.InvariantCulture).Length + restLength != length)
            {
                length++;
            }

            body.Append(length.ToString(CultureInfo.InvariantCulture)).Append(rest);
        }

        return Encoding.UTF8.GetBytes(body.ToString());
    }

    private void WriteHeader(string name, char type, long size, int mode, string linkName = "") =>
        _stream.Write(BuildHeader(name, type, size, mode, linkName));

    private void WriteData(byte[] content)
    {
        _stream.Write(content);
        _stream.Write(new byte[(512 - (content.Length % 512)) % 512]);
    }

    private static void Octal(byte[] header, int offset, int length, long value)
    {
        var text = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(text).CopyTo(header, offset);
        header[offset + length - 1] = 0;
    }
}
