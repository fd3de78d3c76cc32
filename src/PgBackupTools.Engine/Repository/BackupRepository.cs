using System.Text.Json;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Repository;

/// <summary>Creates and opens repositories; an opened repository is unlocked into a <see cref="RepositorySession"/>.</summary>
public static class BackupRepository
{
    public const int DefaultChunkSize = 1 << 20;

    public static RepositoryInfo Initialize(string path, KeySource? keySource, TimeProvider time, int chunkSize = DefaultChunkSize)
    {
        var layout = new RepositoryLayout(path);
        if (File.Exists(layout.ConfigFile))
        {
            throw new PgBackupException(
                "RepositoryAlreadyInitialized",
                ErrorKind.ResourceExists,
                $"'{layout.Root}' is already a PgBackupTools repository. Use it as it is, or choose an empty folder.")
            { Target = layout.Root };
        }

        if (Directory.Exists(layout.Root) && Directory.EnumerateFileSystemEntries(layout.Root).Any())
        {
            throw new PgBackupException(
                "RepositoryFolderNotEmpty",
                ErrorKind.ResourceExists,
                $"'{layout.Root}' is not empty. A repository needs a new or empty folder so nothing else is mixed into it.")
            { Target = layout.Root };
        }

        SecureFileSystem.CreatePrivateDirectory(layout.Root);
        SecureFileSystem.EnsureWritable(layout.Root);
        var id = Guid.NewGuid().ToString("N");
        MasterKey? master = null;
        try
        {
            EncryptionSettings? encryption = null;
            if (keySource is not null)
            {
                master = MasterKey.Generate();
                var kdf = keySource.CreateKdfParameters();
                var wrapped = master.Wrap(keySource, kdf, id);
                encryption = new EncryptionSettings
                {
                    ChunkSize = chunkSize,
                    KeySource = keySource.Kind,
                    KeyId = master.KeyId,
                    Kdf = new KdfSettings { Algorithm = kdf.Algorithm, Iterations = kdf.Iterations, Salt = Convert.ToBase64String(kdf.Salt) },
                    WrappedMasterKey = wrapped.ToBase64(),
                };
            }

            var config = new RepositoryConfig { Id = id, Created = time.GetUtcNow(), Encryption = encryption };
            SecureFileSystem.CreatePrivateDirectory(layout.BackupsDirectory);
            SecureFileSystem.CreatePrivateDirectory(layout.LocksDirectory);
            WriteConfig(layout, config, master);
            return Describe(layout, config);
        }
        finally
        {
            master?.Dispose();
        }
    }

    /// <summary>Reads config.json. Nothing is unlocked yet: listing works without a key, reading data does not.</summary>
    public static RepositorySession Open(string path)
    {
        var layout = new RepositoryLayout(path);
        if (!Directory.Exists(layout.Root))
        {
            throw new PgBackupException(
                "RepositoryNotFound",
                ErrorKind.ObjectNotFound,
                $"Repository '{layout.Root}' does not exist. Create it with Initialize-PgBackupRepository, or check -Repository.")
            { Target = layout.Root };
        }

        if (!File.Exists(layout.ConfigFile))
        {
            throw new PgBackupException(
                "RepositoryNotInitialized",
                ErrorKind.ObjectNotFound,
                $"'{layout.Root}' is not a PgBackupTools repository (no config.json). Run Initialize-PgBackupRepository first, or check -Repository.")
            { Target = layout.Root };
        }

        RepositoryConfig config;
        try
        {
            config = RepositoryConfig.Deserialize(File.ReadAllBytes(layout.ConfigFile));
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new IntegrityException(
                IntegrityFailure.ConfigAuthenticationFailed,
                "config.json",
                $"The repository configuration '{layout.ConfigFile}' is not valid JSON ({ex.Message}). Restore config.json from a copy; without it the backups cannot be decrypted.",
                inner: ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new PgBackupException(
                "RepositoryAccessDenied",
                ErrorKind.PermissionDenied,
                $"Cannot read '{layout.ConfigFile}': access denied. Run as the account that owns the repository.",
                ex) { Target = layout.Root };
        }

        if (config.Format != RepositoryConfig.FormatName || config.Version > RepositoryConfig.CurrentVersion || config.Version < 1)
        {
            throw new PgBackupException(
                "RepositoryFormatUnsupported",
                ErrorKind.InvalidData,
                $"'{layout.Root}' has format '{config.Format}' version {config.Version}; this PgBackupTools reads '{RepositoryConfig.FormatName}' version {RepositoryConfig.CurrentVersion}. Update the module.")
            { Target = layout.Root };
        }

        return new RepositorySession(layout, config);
    }

    public static RepositoryInfo Describe(RepositoryLayout layout, RepositoryConfig config) => new()
    {
        Path = layout.Root,
        Id = config.Id,
        FormatVersion = config.Version,
        Encrypted = config.Encryption is not null,
        KeyId = config.Encryption?.KeyId,
        KeySource = config.Encryption?.KeySource switch
        {
            KeySource.PassphraseKind => "Passphrase",
            KeySource.KeyFileKind => "KeyFile",
            null => "None",
            var other => other,
        },
        Kdf = config.Encryption is { } e ? e.Kdf.Iterations > 0 ? $"{e.Kdf.Algorithm} ({e.Kdf.Iterations} iterations)" : e.Kdf.Algorithm : null,
        Created = config.Created,
    };

    internal static void WriteConfig(RepositoryLayout layout, RepositoryConfig config, MasterKey? master)
    {
        var bytes = config.Serialize();
        ManifestMac.WriteAuthenticated(layout.ConfigFile, layout.ConfigMacFile, bytes, master, ManifestMac.ConfigPurpose);
    }
}
