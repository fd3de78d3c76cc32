using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Crypto;

/// <summary>The master key encrypted under the KEK; stored as base64 of nonce || ciphertext || tag (60 bytes).</summary>
public sealed record WrappedMasterKey
{
    public WrappedMasterKey(byte[] nonce, byte[] ciphertext, byte[] tag)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(ciphertext);
        ArgumentNullException.ThrowIfNull(tag);
        if (nonce.Length != CryptoSizes.Nonce || ciphertext.Length != CryptoSizes.Key || tag.Length != CryptoSizes.Tag)
        {
            throw new ArgumentException(
                $"A wrapped master key is a {CryptoSizes.Nonce}-byte nonce, {CryptoSizes.Key}-byte ciphertext and {CryptoSizes.Tag}-byte tag.");
        }

        Nonce = nonce;
        Ciphertext = ciphertext;
        Tag = tag;
    }

    public byte[] Nonce { get; }

    public byte[] Ciphertext { get; }

    public byte[] Tag { get; }

    public string ToBase64() => Convert.ToBase64String(ToBlob());

    /// <summary>Throws WrappedKeyInvalid (InvalidData) unless the text is base64 of exactly 60 bytes.</summary>
    public static WrappedMasterKey FromBase64(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        Span<byte> blob = stackalloc byte[CryptoSizes.WrappedKey + 3];
        if (!Convert.TryFromBase64String(base64, blob, out var length) || length != CryptoSizes.WrappedKey)
        {
            throw new PgBackupException(
                "WrappedKeyInvalid",
                ErrorKind.InvalidData,
                $"The stored master key is not base64 of {CryptoSizes.WrappedKey} bytes; the repository config is damaged.");
        }

        return FromBlob(blob[..length]);
    }

    internal byte[] ToBlob() => [.. Nonce, .. Ciphertext, .. Tag];

    internal static WrappedMasterKey FromBlob(ReadOnlySpan<byte> blob) => new(
        blob[..CryptoSizes.Nonce].ToArray(),
        blob.Slice(CryptoSizes.Nonce, CryptoSizes.Key).ToArray(),
        blob.Slice(CryptoSizes.Nonce + CryptoSizes.Key, CryptoSizes.Tag).ToArray());
}
