using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// An opened repository. Reading manifests needs nothing more; reading or writing backup data needs
/// <see cref="Unlock"/>, which checks the key before any work starts.
/// </summary>
public sealed class RepositorySession : IDisposable
{
    internal RepositorySession(RepositoryLayout layout, RepositoryConfig config)
    {
        Layout = layout;
        Config = config;
    }

    public RepositoryLayout Layout { get; }
    public RepositoryConfig Config { get; }
    public bool IsEncrypted => Config.Encryption is not null;
    public bool IsUnlocked { get; private set; }
    public RepositoryInfo Info => BackupRepository.Describe(Layout, Config);
    internal MasterKey? Master { get; private set; }

    /// <summary>
    /// Unlocks an encrypted repository with its passphrase or key file and authenticates config.json. An
    /// unencrypted repository takes no key: giving one is refused, so nobody believes plaintext is encrypted.
    /// </summary>
    public void Unlock(KeySource? keySource)
    {
        if (IsUnlocked)
        {
            return;
        }

        var encryption = Config.Encryption;
        if (encryption is null)
        {
            if (keySource is not null)
            {
                throw new PgBackupException(
                    "RepositoryNotEncrypted",
                    ErrorKind.InvalidArgument,
                    $"Repository '{Layout.Root}' was initialised without encryption, but a {keySource.Kind} was given. Backups written here are not encrypted; use an encrypted repository, or omit -Passphrase/-KeyFile.")
                { Target = Layout.Root };
            }

            VerifyConfigMac(null);
            IsUnlocked = true;
            return;
        }

        if (keySource is null)
        {
            throw new PgBackupException(
                "RepositoryKeyRequired",
                ErrorKind.SecurityError,
                $"Repository '{Layout.Root}' is encrypted. Give -KeyFile or -Passphrase (it was initialised with a {encryption.KeySource}).")
            { Target = Layout.Root };
        }

        if (keySource.Kind != encryption.KeySource)
        {
            throw new PgBackupException(
                "WrongKeyKind",
                ErrorKind.AuthenticationError,
                $"Repository '{Layout.Root}' is unlocked with a {encryption.KeySource}, but a {keySource.Kind} was given. Use -{(encryption.KeySource == KeySource.KeyFileKind ? "KeyFile" : "Passphrase")}.")
            { Target = Layout.Root };
        }

        var kdf = new KdfParameters(encryption.Kdf.Algorithm, encryption.Kdf.Iterations, Convert.FromBase64String(encryption.Kdf.Salt));
        MasterKey master;
        try
        {
            master = MasterKey.Unwrap(WrappedMasterKey.FromBase64(encryption.WrappedMasterKey), keySource, kdf, Config.Id);
        }
        catch (PgBackupException ex) when (ex.ErrorId == "WrongKey")
        {
            throw new PgBackupException(
                "WrongKey",
                ErrorKind.AuthenticationError,
                $"The {keySource.Kind} does not unlock repository '{Layout.Root}'. Check -Passphrase/-KeyFile; nothing was read or written.",
                ex) { Target = Layout.Root };
        }

        if (master.KeyId != encryption.KeyId)
        {
            master.Dispose();
            throw new IntegrityException(
                IntegrityFailure.ConfigAuthenticationFailed,
                "config.json",
                $"The key id in '{Layout.ConfigFile}' does not match its master key. The configuration was altered; restore it from a copy.");
        }

        VerifyConfigMac(master);
        Master = master;
        IsUnlocked = true;
    }

    public void RequireUnlocked()
    {
        if (!IsUnlocked)
        {
            throw new InvalidOperationException("The repository must be unlocked first.");
        }
    }

    /// <summary>Re-wraps the master key under a new passphrase or key file. Backups are untouched.</summary>
    public RepositoryInfo ChangeKey(KeySource newKeySource)
    {
        RequireUnlocked();
        if (Master is null)
        {
            throw new PgBackupException(
                "RepositoryNotEncrypted",
                ErrorKind.InvalidOperation,
                $"Repository '{Layout.Root}' is not encrypted, so it has no key to change.") { Target = Layout.Root };
        }

        var kdf = newKeySource.CreateKdfParameters();
        var wrapped = Master.Wrap(newKeySource, kdf, Config.Id);
        var encryption = Config.Encryption! with
        {
            KeySource = newKeySource.Kind,
            Kdf = new KdfSettings { Algorithm = kdf.Algorithm, Iterations = kdf.Iterations, Salt = Convert.ToBase64String(kdf.Salt) },
            WrappedMasterKey = wrapped.ToBase64(),
        };
        var config = Config with { Encryption = encryption };
        BackupRepository.WriteConfig(Layout, config, Master);
        return BackupRepository.Describe(Layout, config);
    }

    public void Dispose()
    {
        Master?.Dispose();
        Master = null;
        IsUnlocked = false;
    }

    private void VerifyConfigMac(MasterKey? master)
    {
        var content = File.ReadAllBytes(Layout.ConfigFile);
        if (!ManifestMac.VerifyFile(content, Layout.ConfigMacFile, master, ManifestMac.ConfigPurpose))
        {
            master?.Dispose();
            throw new IntegrityException(
                IntegrityFailure.ConfigAuthenticationFailed,
                "config.json",
                $"The repository configuration '{Layout.ConfigFile}' does not match config.mac: it was altered or corrupted. Restore both files from a copy.");
        }
    }
}
