using System.Text;

namespace PgBackupTools.Engine.Crypto;

/// <summary>
/// Domain-separation strings. Each one is part of the on-disk format (docs/repository-format.md):
/// changing a single byte makes every existing repository unreadable.
/// </summary>
internal static class CryptoLabels
{
    public const string KekInfo = "pgbackuptools kek v1";
    public const string KeyIdInfo = "pgbackuptools key id v1";
    public const string MasterKeyAadPrefix = "pgbackuptools master key v1\n";
    public const string DataKeyAadPrefix = "pgbackuptools data key v1\n";
    public const string FileKeyInfoPrefix = "pgbackuptools file v1\n";
    public const string DataKeyWrapPurpose = "data key wrap";

    public static string SubkeyInfo(string purpose) => "pgbackuptools " + purpose + " v1";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
