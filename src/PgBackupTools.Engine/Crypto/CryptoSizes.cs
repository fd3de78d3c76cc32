namespace PgBackupTools.Engine.Crypto;

/// <summary>Byte sizes shared by every key and ciphertext layout in the repository format.</summary>
internal static class CryptoSizes
{
    public const int Key = 32;
    public const int Salt = 16;
    public const int Nonce = 12;
    public const int Tag = 16;

    /// <summary>nonce || ciphertext of a 32-byte key || tag.</summary>
    public const int WrappedKey = Nonce + Key + Tag;
}
