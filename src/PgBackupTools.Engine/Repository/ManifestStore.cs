using System.Text.Json;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Repository;

/// <summary>Reads manifests and lists backups. Listing needs no key; reading data needs an authenticated manifest.</summary>
public static class ManifestStore
{
    public const string ManifestFileName = "manifest.json";
    public const string MacFileName = "manifest.mac";

    /// <summary>
    /// Reads and authenticates one backup's manifest: with the master key in encrypted repositories (a tampered
    /// manifest fails), with its SHA-256 in unencrypted ones (corruption fails).
    /// </summary>
    public static StoredBackup Load(RepositorySession repository, string backupId)
    {
        repository.RequireUnlocked();
        var directory = repository.Layout.BackupDirectory(backupId);
        if (!BackupId.IsValid(backupId) || !Directory.Exists(directory))
        {
            throw new PgBackupException(
                "BackupNotFound",
                ErrorKind.ObjectNotFound,
                $"There is no backup '{backupId}' in repository '{repository.Layout.Root}'. List them with Get-PgBackup.")
            { Target = backupId };
        }

        var (manifest, bytes) = ReadManifest(directory, backupId);
        var macPath = Path.Combine(directory, MacFileName);
        var stored = File.Exists(macPath) ? File.ReadAllBytes(macPath) : [];
        if (!ManifestMac.Verify(bytes, stored, repository.Master, ManifestMac.ManifestPurpose)
            || manifest.Id != backupId
            || manifest.RepositoryId != repository.Config.Id)
        {
            throw new IntegrityException(
                IntegrityFailure.ManifestAuthenticationFailed,
                $"backups/{backupId}/{ManifestFileName}",
                $"The manifest of backup '{backupId}' does not authenticate: it was altered, corrupted, or copied from another backup or repository. Do not restore from it.");
        }

        return new StoredBackup(manifest, directory, Authenticated: repository.Master is not null);
    }

    public static BackupListing List(RepositorySession repository, bool includeIncomplete)
    {
        var backups = new List<Backup>();
        var problems = new List<PgBackupException>();
        if (!Directory.Exists(repository.Layout.BackupsDirectory))
        {
            return new BackupListing(backups, problems);
        }

        foreach (var directory in Directory.EnumerateDirectories(repository.Layout.BackupsDirectory))
        {
            var name = Path.GetFileName(directory);
            if (name.StartsWith(RepositoryLayout.IncompletePrefix, StringComparison.Ordinal))
            {
                if (includeIncomplete && IncompleteMarker.TryRead(directory) is { } marker)
                {
                    backups.Add(BackupMapper.FromIncomplete(marker, repository, directory));
                }

                continue;
            }

            if (name.StartsWith('.'))
            {
                continue;
            }

            try
            {
                var (manifest, _) = ReadManifest(directory, name);
                backups.Add(BackupMapper.FromManifest(manifest, repository, directory));
            }
            catch (PgBackupException ex)
            {
                problems.Add(ex);
            }
        }

        backups.Sort((a, b) => b.StartTime.CompareTo(a.StartTime) is var c && c != 0 ? c : string.CompareOrdinal(b.Id, a.Id));
        return new BackupListing(backups, problems);
    }

    private static (BackupManifest Manifest, byte[] Bytes) ReadManifest(string directory, string backupId)
    {
        var path = Path.Combine(directory, ManifestFileName);
        try
        {
            var bytes = File.ReadAllBytes(path);
            var manifest = BackupManifest.Deserialize(bytes);
            if (manifest.Format != BackupManifest.FormatName || manifest.Version > BackupManifest.CurrentVersion)
            {
                throw new PgBackupException(
                    "BackupFormatUnsupported",
                    ErrorKind.InvalidData,
                    $"Backup '{backupId}' has format '{manifest.Format}' version {manifest.Version}; update PgBackupTools to read it.")
                { Target = backupId };
            }

            return (manifest, bytes);
        }
        catch (FileNotFoundException ex)
        {
            throw new IntegrityException(IntegrityFailure.MissingFile, $"backups/{backupId}/{ManifestFileName}", $"Backup '{backupId}' has no manifest.json; it cannot be used.", inner: ex);
        }
        catch (JsonException ex)
        {
            throw new IntegrityException(
                IntegrityFailure.ManifestAuthenticationFailed,
                $"backups/{backupId}/{ManifestFileName}",
                $"The manifest of backup '{backupId}' is not valid JSON ({ex.Message}); it was corrupted.",
                inner: ex);
        }
    }
}
