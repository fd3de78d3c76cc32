using System.Security.Cryptography;

namespace PgBackupTools.Engine.Crypto;

/// <summary>KEK = HKDF-SHA256(ikm = key file bytes, salt = stored salt, info = "pgbackuptools kek v1").</summary>
internal sealed class KeyFileKeySource : KeySource
{
    private static readonly byte[] KekInfo = CryptoLabels.Utf8(CryptoLabels.KekInfo);

    public KeyFileKeySource(string path) => Path = path;

    public string Path { get; }

    public override string Kind => KeyFileKind;

    internal override string KdfAlgorithm => KdfParameters.HkdfSha256;

    private protected override void DeriveKekCore(KdfParameters kdf, Span<byte> kek)
    {
        var keyFileBytes = KeyFile.Read(Path);
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, keyFileBytes, kek, kdf.Salt, KekInfo);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyFileBytes);
        }
    }
}
