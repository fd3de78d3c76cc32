using System.Globalization;
using System.Text;

namespace PgBackupTools.Engine.Physical;

/// <summary>The fields of a PAX extended header ('x') that change the next entry: "LEN key=value\n" records.</summary>
internal sealed class TarPaxRecords
{
    public string? Path { get; private set; }

    public string? LinkPath { get; private set; }

    public long? Size { get; private set; }

    public long? ModificationTime { get; private set; }

    public static TarPaxRecords Parse(ReadOnlySpan<byte> data, long offset)
    {
        var records = new TarPaxRecords();
        while (!data.IsEmpty)
        {
            if (data.Length == 1 && data[0] == 0)
            {
                break;
            }

            var space = data.IndexOf((byte)' ');
            if (space <= 0
                || !int.TryParse(data[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space + 2 || length > data.Length || data[length - 1] != (byte)'\n')
            {
                throw TarErrors.Invalid(offset, "malformed PAX extended header record");
            }

            var record = data[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw TarErrors.Invalid(offset, "PAX extended header record without key=value");
            }

            records.Apply(Encoding.UTF8.GetString(record[..equals]), Encoding.UTF8.GetString(record[(equals + 1)..]), offset);
            data = data[length..];
        }

        return records;
    }

    private void Apply(string key, string value, long offset)
    {
        switch (key)
        {
            case "path":
                Path = value;
                break;
            case "linkpath":
                LinkPath = value;
                break;
            case "size":
                Size = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                    ? size
                    : throw TarErrors.Invalid(offset, $"PAX size '{value}' is not a number");
                break;
            case "mtime":
                // Seconds with an optional fraction ("1700000000.123456789"); whole seconds are enough here.
                var dot = value.IndexOf('.', StringComparison.Ordinal);
                ModificationTime = long.TryParse(dot < 0 ? value : value[..dot], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
                    ? seconds
                    : throw TarErrors.Invalid(offset, $"PAX mtime '{value}' is not a number");
                break;
        }
    }
}
