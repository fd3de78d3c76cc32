using System.Security.Cryptography;

namespace PgBackupTools.Engine.Crypto;

/// <summary>AES-256-GCM over one 32-byte key, laid out as nonce || ciphertext || tag (60 bytes).</summary>
internal static class AesGcmKeyWrap
{
    public static byte[] Seal(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> keyToWrap, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad)
    {
        if (keyToWrap.Length != CryptoSizes.Key)
        {
            throw new ArgumentException($"Only {CryptoSizes.Key}-byte keys are wrapped.", nameof(keyToWrap));
        }

        if (nonce.Length != CryptoSizes.Nonce)
        {
            throw new ArgumentException($"The nonce must be {CryptoSizes.Nonce} bytes.", nameof(nonce));
        }

        var blob = new byte[CryptoSizes.WrappedKey];
        nonce.CopyTo(blob);
        using var aes = new AesGcm(wrappingKey, CryptoSizes.Tag);
        aes.Encrypt(
            nonce,
            keyToWrap,
            blob.AsSpan(CryptoSizes.Nonce, CryptoSizes.Key),
            blob.AsSpan(CryptoSizes.Nonce + CryptoSizes.Key, CryptoSizes.Tag),
            aad);
        return blob;
    }

    /// <summary>Writes the unwrapped key into <paramref name="key"/>; false when the blob does not authenticate.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> blob, ReadOnlySpan<byte> aad, Span<byte> key)
    {
        if (blob.Length != CryptoSizes.WrappedKey || key.Length != CryptoSizes.Key)
        {
            return false;
        }

        using var aes = new AesGcm(wrappingKey, CryptoSizes.Tag);
        try
        {
            aes.Decrypt(
                blob[..CryptoSizes.Nonce],
                blob.Slice(CryptoSizes.Nonce, CryptoSizes.Key),
                blob.Slice(CryptoSizes.Nonce + CryptoSizes.Key, CryptoSizes.Tag),
                key,
                aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }
}
