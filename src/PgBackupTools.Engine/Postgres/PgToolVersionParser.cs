using System.Globalization;
using System.Text.RegularExpressions;

namespace PgBackupTools.Engine.Postgres;

/// <summary>Reads the version from the output of <c>pg_xxx --version</c>.</summary>
internal static partial class PgToolVersionParser
{
    // "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "psql (PostgreSQL) 17beta2", "pg_dump (PostgreSQL) 9.6.24"
    [GeneratedRegex(@"\(PostgreSQL\)\s+(?<major>\d+)(?:\.(?<minor>\d+))?", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    public static bool TryParse(string output, out Version version, out string versionText)
    {
        versionText = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? "";
        var match = VersionPattern().Match(versionText);
        if (!match.Success)
        {
            version = new Version(0, 0);
            return false;
        }
        var major = int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture);
        var minor = match.Groups["minor"].Success
            ? int.Parse(match.Groups["minor"].Value, CultureInfo.InvariantCulture)
            : 0;
        version = new Version(major, minor);
        return true;
    }
}
