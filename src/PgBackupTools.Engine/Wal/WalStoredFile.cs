using System.Globalization;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// One file in the WAL archive. Its name is "&lt;WAL file name&gt;.&lt;tag&gt;[.zst|.gz][.enc]": the tag (16 hex digits)
/// is a keyed hash of the plaintext, so a re-push is recognised as identical or different without decrypting.
/// </summary>
public sealed record WalStoredFile(WalFileName Name, string Tag, CompressionAlgorithm Compression, bool Encrypted, string Path, long SizeBytes, DateTimeOffset StoredAt)
{
    public const int TagLength = 16;
    public const string EncryptedSuffix = ".enc";

    public static string FileNameFor(WalFileName name, string tag, CompressionSettings compression, bool encrypted) =>
        name.Name + "." + tag + compression.FileSuffix + (encrypted ? EncryptedSuffix : "");

    /// <summary>Parses a stored file name; null for anything else (temporary files, foreign files).</summary>
    public static WalStoredFile? TryParse(FileInfo file, int segmentSize)
    {
        var rest = file.Name;
        var encrypted = rest.EndsWith(EncryptedSuffix, StringComparison.Ordinal);
        if (encrypted)
        {
            rest = rest[..^EncryptedSuffix.Length];
        }

        var compression = CompressionAlgorithm.None;
        if (rest.EndsWith(".zst", StringComparison.Ordinal))
        {
            compression = CompressionAlgorithm.Zstd;
            rest = rest[..^4];
        }
        else if (rest.EndsWith(".gz", StringComparison.Ordinal))
        {
            compression = CompressionAlgorithm.Gzip;
            rest = rest[..^3];
        }

        if (rest.Length <= TagLength + 1 || rest[^(TagLength + 1)] != '.')
        {
            return null;
        }

        var tag = rest[^TagLength..];
        if (!ulong.TryParse(tag, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)
            || !WalFileName.TryParse(rest[..^(TagLength + 1)], segmentSize, out var name))
        {
            return null;
        }

        return new WalStoredFile(name, tag, compression, encrypted, file.FullName, file.Length, file.LastWriteTimeUtc);
    }
}
