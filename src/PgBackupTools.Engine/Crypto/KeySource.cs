using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Crypto;

/// <summary>What unlocks a repository's master key: a passphrase or a key file.</summary>
public abstract class KeySource
{
    public const string PassphraseKind = "passphrase";
    public const string KeyFileKind = "keyfile";

    private protected KeySource()
    {
    }

    /// <summary>"passphrase" or "keyfile".</summary>
    public abstract string Kind { get; }

    /// <summary>The KDF algorithm this source needs (<see cref="KdfParameters.Algorithm"/>).</summary>
    internal abstract string KdfAlgorithm { get; }

    public static KeySource FromPassphrase(string passphrase)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        if (passphrase.Length == 0)
        {
            throw new PgBackupException(
                "PassphraseEmpty",
                ErrorKind.InvalidArgument,
                "The passphrase is empty. Give a non-empty passphrase, or use a key file.");
        }

        return new PassphraseKeySource(passphrase);
    }

    /// <summary>The file is read (and its permissions checked) each time a key is derived, never kept in memory.</summary>
    public static KeySource FromKeyFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new KeyFileKeySource(Path.GetFullPath(path));
    }

    /// <summary>Fresh KDF parameters suitable for this source (random salt; default iterations for passphrases).</summary>
    public KdfParameters CreateKdfParameters() =>
        KdfAlgorithm == KdfParameters.Pbkdf2Sha256 ? KdfParameters.CreateDefault() : KdfParameters.CreateForKeyFile();

    /// <summary>Writes the 32-byte key-encryption key into <paramref name="kek"/>; the caller zeroes it.</summary>
    internal void DeriveKek(KdfParameters kdf, Span<byte> kek)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        kdf.Validate();
        if (kek.Length != CryptoSizes.Key)
        {
            throw new ArgumentException($"The KEK is {CryptoSizes.Key} bytes.", nameof(kek));
        }

        if (kdf.Algorithm != KdfAlgorithm)
        {
            throw new ArgumentException($"A {Kind} needs {KdfAlgorithm} parameters, not {kdf.Algorithm}.", nameof(kdf));
        }

        DeriveKekCore(kdf, kek);
    }

    private protected abstract void DeriveKekCore(KdfParameters kdf, Span<byte> kek);

    public override string ToString() => Kind;
}
