using System.Security.Cryptography;
using System.Text;
using PgBackupTools.Engine.Crypto;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// The authenticator stored beside config.json and manifest.json: "hmac-sha256:&lt;hex&gt;" under a master-key
/// subkey in encrypted repositories, "sha256:&lt;hex&gt;" (corruption detection only) in unencrypted ones.
/// </summary>
public static class ManifestMac
{
    public const string ConfigPurpose = "config mac";
    public const string ManifestPurpose = "manifest mac";
    private const string HmacPrefix = "hmac-sha256:";
    private const string ShaPrefix = "sha256:";

    public static byte[] Encode(byte[] mac) => Encoding.ASCII.GetBytes(HmacPrefix + Convert.ToHexString(mac).ToLowerInvariant() + "\n");

    public static byte[] Compute(byte[] content, MasterKey? master, string purpose) => master is null
        ? Encoding.ASCII.GetBytes(ShaPrefix + Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant() + "\n")
        : Encode(master.ComputeMac(content, purpose));

    /// <summary>
    /// Writes a document and its authenticator, each atomically. The authenticator goes first: a crash in
    /// between leaves a document that does not authenticate, never one that authenticates wrongly.
    /// </summary>
    public static void WriteAuthenticated(string path, string macPath, byte[] content, MasterKey? master, string purpose)
    {
        SecureFileSystem.WriteAllBytesAtomic(macPath, Compute(content, master, purpose));
        SecureFileSystem.WriteAllBytesAtomic(path, content);
    }

    /// <summary>Checks content against the authenticator stored at <paramref name="macPath"/>; a missing file does not verify.</summary>
    public static bool VerifyFile(byte[] content, string macPath, MasterKey? master, string purpose) =>
        Verify(content, File.Exists(macPath) ? File.ReadAllBytes(macPath) : [], master, purpose);

    public static bool Verify(byte[] content, byte[] stored, MasterKey? master, string purpose)
    {
        var text = Encoding.ASCII.GetString(stored).Trim();
        if (master is null)
        {
            return text.StartsWith(ShaPrefix, StringComparison.Ordinal)
                && CryptographicOperations.FixedTimeEquals(
                    Encoding.ASCII.GetBytes(text[ShaPrefix.Length..]),
                    Encoding.ASCII.GetBytes(Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant()));
        }

        if (!text.StartsWith(HmacPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        byte[] mac;
        try
        {
            mac = Convert.FromHexString(text[HmacPrefix.Length..]);
        }
        catch (FormatException)
        {
            return false;
        }

        return master.VerifyMac(content, mac, purpose);
    }
}
