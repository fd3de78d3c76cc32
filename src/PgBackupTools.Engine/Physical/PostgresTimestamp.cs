using System.Globalization;

namespace PgBackupTools.Engine.Physical;

/// <summary>
/// Timestamps as PostgreSQL prints them with "%Y-%m-%d %H:%M:%S %Z" in backup_label and the manifest. The zone is
/// the server's log_timezone abbreviation, which is ambiguous in general, so only UTC/GMT and numeric offsets resolve.
/// </summary>
internal static class PostgresTimestamp
{
    public static DateTimeOffset? TryParse(string text)
    {
        var space = text.LastIndexOf(' ');
        if (space < 0
            || !DateTime.TryParseExact(text[..space], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            || TryParseZone(text[(space + 1)..]) is not { } offset)
        {
            return null;
        }

        return new DateTimeOffset(local, offset);
    }

    private static TimeSpan? TryParseZone(string zone)
    {
        if (zone is "UTC" or "GMT" or "Z" or "UCT")
        {
            return TimeSpan.Zero;
        }

        if (zone.Length < 3 || zone[0] is not ('+' or '-'))
        {
            return null;
        }

        var digits = zone[1..].Replace(":", string.Empty, StringComparison.Ordinal);
        if (digits.Length is not (2 or 4) || !digits.All(char.IsAsciiDigit))
        {
            return null;
        }

        var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var minutes = digits.Length == 4 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
        if (hours > 14 || minutes > 59)
        {
            return null;
        }

        var offset = new TimeSpan(hours, minutes, 0);
        return zone[0] == '-' ? -offset : offset;
    }
}
