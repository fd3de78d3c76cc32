namespace PgBackupTools.Engine.Physical;

internal static class TarPaths
{
    /// <summary>
    /// A member name as a relative path without "." segments, empty segments or a trailing "/":
    /// pg_basebackup writes "./pg_wal/archive_status/" next to "pg_wal/", both mean the same folder.
    /// Leaves ".." and a leading "/" detectable only in the raw name, so check those before normalizing.
    /// </summary>
    public static string Normalize(string name) =>
        string.Join('/', name.Split('/').Where(segment => segment.Length > 0 && segment != "."));
}
