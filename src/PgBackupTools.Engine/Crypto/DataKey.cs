using System.Security.Cryptography;
using System.Text;

namespace PgBackupTools.Engine.Crypto;

/// <summary>A random 256-bit key per backup; each file of the backup is encrypted under a key derived from it.</summary>
public sealed class DataKey : IDisposable
{
    private readonly byte[] _key;
    private bool _disposed;

    internal DataKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != CryptoSizes.Key)
        {
            throw new ArgumentException($"A data key is {CryptoSizes.Key} bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    public static DataKey Generate()
    {
        Span<byte> key = stackalloc byte[CryptoSizes.Key];
        RandomNumberGenerator.Fill(key);
        try
        {
            return new DataKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    internal ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>
    /// Per-file key = HKDF-SHA256(ikm = data key, salt = file salt, info = "pgbackuptools file v1\n" + fileName),
    /// so a chunk moved between files or backups never authenticates.
    /// </summary>
    internal void DeriveFileKey(ReadOnlySpan<byte> fileSalt, string fileName, Span<byte> fileKey)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (fileSalt.Length != CryptoSizes.Salt)
        {
            throw new ArgumentException($"A file salt is {CryptoSizes.Salt} bytes.", nameof(fileSalt));
        }

        var info = Encoding.UTF8.GetBytes(CryptoLabels.FileKeyInfoPrefix + fileName);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Bytes, fileKey, fileSalt, info);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_key);
            _disposed = true;
        }
    }
}
