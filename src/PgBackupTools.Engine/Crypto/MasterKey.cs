using System.Security.Cryptography;
using System.Text;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Crypto;

/// <summary>
/// The repository's random 256-bit master key. It is stored only wrapped under a KEK from the key source,
/// so changing the passphrase re-wraps it without touching any backup. Everything else derives from it.
/// </summary>
public sealed class MasterKey : IDisposable
{
    private static readonly byte[] KeyIdInfo = CryptoLabels.Utf8(CryptoLabels.KeyIdInfo);

    private readonly byte[] _key;
    private bool _disposed;

    internal MasterKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != CryptoSizes.Key)
        {
            throw new ArgumentException($"A master key is {CryptoSizes.Key} bytes.", nameof(key));
        }

        _key = key.ToArray();
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, KeyIdInfo, mac);
        KeyId = Convert.ToHexString(mac[..8]).ToLowerInvariant();
    }

    /// <summary>
    /// Lowercase hex of the first 8 bytes of HMAC-SHA256(master key, "pgbackuptools key id v1"): names the key
    /// without revealing it, and stays the same when the passphrase or key file changes.
    /// </summary>
    public string KeyId { get; }

    public static MasterKey Generate()
    {
        Span<byte> key = stackalloc byte[CryptoSizes.Key];
        RandomNumberGenerator.Fill(key);
        try
        {
            return new MasterKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public WrappedMasterKey Wrap(KeySource source, KdfParameters kdf, string repositoryId)
    {
        Span<byte> nonce = stackalloc byte[CryptoSizes.Nonce];
        RandomNumberGenerator.Fill(nonce);
        return Wrap(source, kdf, repositoryId, nonce);
    }

    /// <summary>Fixed-nonce variant for test vectors only; a nonce must never repeat under one KEK.</summary>
    internal WrappedMasterKey Wrap(KeySource source, KdfParameters kdf, string repositoryId, ReadOnlySpan<byte> nonce)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(repositoryId);
        Span<byte> kek = stackalloc byte[CryptoSizes.Key];
        try
        {
            source.DeriveKek(kdf, kek);
            var blob = AesGcmKeyWrap.Seal(kek, Bytes, nonce, MasterKeyAad(repositoryId));
            return WrappedMasterKey.FromBlob(blob);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>Throws WrongKey (AuthenticationError) when the key source does not unlock the repository.</summary>
    public static MasterKey Unwrap(WrappedMasterKey wrapped, KeySource source, KdfParameters kdf, string repositoryId)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(kdf);
        ArgumentNullException.ThrowIfNull(repositoryId);
        kdf.Validate();
        if (kdf.Algorithm != source.KdfAlgorithm)
        {
            var (needed, given) = kdf.Algorithm == KdfParameters.HkdfSha256
                ? ("a key file (-KeyFile)", "a passphrase")
                : ("a passphrase (-Passphrase)", "a key file");
            throw WrongKey(repositoryId, $"Repository '{repositoryId}' is unlocked with {needed}, but {given} was given; nothing was read or written.");
        }

        Span<byte> kek = stackalloc byte[CryptoSizes.Key];
        Span<byte> key = stackalloc byte[CryptoSizes.Key];
        try
        {
            source.DeriveKek(kdf, kek);
            if (!AesGcmKeyWrap.TryOpen(kek, wrapped.ToBlob(), MasterKeyAad(repositoryId), key))
            {
                throw WrongKey(
                    repositoryId,
                    $"The passphrase or key file does not unlock repository '{repositoryId}'. " +
                    "Check -Passphrase/-KeyFile; nothing was read or written.");
            }

            return new MasterKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>HKDF-SHA256(ikm = master key, no salt, info = "pgbackuptools " + purpose + " v1"), 32 bytes.</summary>
    public byte[] DeriveSubkey(string purpose)
    {
        var subkey = new byte[CryptoSizes.Key];
        DeriveSubkey(purpose, subkey);
        return subkey;
    }

    /// <summary>HMAC-SHA256 under the subkey for <paramref name="purpose"/> (e.g. "manifest mac").</summary>
    public byte[] ComputeMac(ReadOnlySpan<byte> data, string purpose)
    {
        Span<byte> subkey = stackalloc byte[CryptoSizes.Key];
        try
        {
            DeriveSubkey(purpose, subkey);
            return HMACSHA256.HashData(subkey, data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(subkey);
        }
    }

    /// <summary>Constant-time check of a MAC made by <see cref="ComputeMac"/>.</summary>
    public bool VerifyMac(ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac, string purpose)
    {
        var expected = ComputeMac(data, purpose);
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    /// <summary>Base64 of nonce || ciphertext || tag, AES-256-GCM under the "data key wrap" subkey, bound to the backup id.</summary>
    public string WrapDataKey(DataKey key, string backupId)
    {
        Span<byte> nonce = stackalloc byte[CryptoSizes.Nonce];
        RandomNumberGenerator.Fill(nonce);
        return WrapDataKey(key, backupId, nonce);
    }

    /// <summary>Fixed-nonce variant for test vectors only.</summary>
    internal string WrapDataKey(DataKey key, string backupId, ReadOnlySpan<byte> nonce)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(backupId);
        Span<byte> subkey = stackalloc byte[CryptoSizes.Key];
        try
        {
            DeriveSubkey(CryptoLabels.DataKeyWrapPurpose, subkey);
            return Convert.ToBase64String(AesGcmKeyWrap.Seal(subkey, key.Bytes, nonce, DataKeyAad(backupId)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(subkey);
        }
    }

    /// <summary>Throws IntegrityException (ManifestAuthenticationFailed) when the wrapped key is damaged or belongs elsewhere.</summary>
    public DataKey UnwrapDataKey(string wrapped, string backupId)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        ArgumentNullException.ThrowIfNull(backupId);
        Span<byte> blob = stackalloc byte[CryptoSizes.WrappedKey + 3];
        Span<byte> subkey = stackalloc byte[CryptoSizes.Key];
        Span<byte> key = stackalloc byte[CryptoSizes.Key];
        try
        {
            DeriveSubkey(CryptoLabels.DataKeyWrapPurpose, subkey);
            if (!Convert.TryFromBase64String(wrapped, blob, out var length) ||
                !AesGcmKeyWrap.TryOpen(subkey, blob[..length], DataKeyAad(backupId), key))
            {
                throw new IntegrityException(
                    IntegrityFailure.ManifestAuthenticationFailed,
                    "manifest.json",
                    $"The data key in the manifest of backup '{backupId}' does not authenticate under this repository's " +
                    "master key: the manifest is damaged, was altered, or belongs to another backup or repository.");
            }

            return new DataKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(subkey);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_key);
            _disposed = true;
        }
    }

    private ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    private void DeriveSubkey(string purpose, Span<byte> subkey)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        var info = Encoding.UTF8.GetBytes(CryptoLabels.SubkeyInfo(purpose));
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Bytes, subkey, ReadOnlySpan<byte>.Empty, info);
    }

    private static byte[] MasterKeyAad(string repositoryId) =>
        Encoding.UTF8.GetBytes(CryptoLabels.MasterKeyAadPrefix + repositoryId);

    private static byte[] DataKeyAad(string backupId) =>
        Encoding.UTF8.GetBytes(CryptoLabels.DataKeyAadPrefix + backupId);

    private static PgBackupException WrongKey(string repositoryId, string message) =>
        new("WrongKey", ErrorKind.AuthenticationError, message) { Target = repositoryId };
}
