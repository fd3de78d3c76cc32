using System.Globalization;
using System.Text.RegularExpressions;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>The major version of the pg_dump that wrote a backup: pg_restore must be at least that new.</summary>
internal static partial class DumpVersion
{
    public static int Major(BackupManifest manifest)
    {
        var match = Pattern().Match(manifest.PgDumpVersion ?? "");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"\)\s+(\d+)")]
    private static partial Regex Pattern();
}
