using System.Security.Cryptography;

namespace PgBackupTools.Engine.Repository;

/// <summary>Backup ids sort by start time (UTC) and stay unique across machines: 20261125T020000Z-3fa9c1.</summary>
public static class BackupId
{
    public static string New(DateTimeOffset startUtc) =>
        startUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'") + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

    public static bool IsValid(string id) =>
        id.Length == 23 && id[8] == 'T' && id[15] == 'Z' && id[16] == '-' && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
