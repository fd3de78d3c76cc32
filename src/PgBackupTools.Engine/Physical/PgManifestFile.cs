namespace PgBackupTools.Engine.Physical;

/// <summary>One file listed in backup_manifest.</summary>
/// <param name="Path">Relative to the data directory, "/"-separated (decoded from Encoded-Path when the name was not UTF-8).</param>
/// <param name="ChecksumAlgorithm">As written, e.g. "CRC32C", "SHA256"; "NONE" when the manifest has no checksum for the file.</param>
/// <param name="Checksum">Hex as written (see <see cref="Crc32C.ManifestHex"/> for CRC32C's byte order); null with "NONE".</param>
public sealed record PgManifestFile(string Path, long Size, string? LastModified, string ChecksumAlgorithm, string? Checksum)
{
    public bool HasCrc32C => string.Equals(ChecksumAlgorithm, "CRC32C", StringComparison.OrdinalIgnoreCase) && Checksum is not null;
}
