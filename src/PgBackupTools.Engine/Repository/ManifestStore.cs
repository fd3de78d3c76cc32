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
        if (!ManifestMac.VerifyFile(bytes, macPath, repository.Master, ManifestMac.ManifestPurpose)
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
        if (!Directory.Exists(repository.Layout.BackupsDirectory))
        {
            return new BackupListing([], []);
        }

        // Reading thousands of small manifests is latency-bound, so they are read in parallel; the order of
        // the result does not depend on it (sorted below).
        var directories = Directory.GetDirectories(repository.Layout.BackupsDirectory);
        var backups = new Backup?[directories.Length];
        var problems = new PgBackupException?[directories.Length];
        Parallel.For(0, directories.Length, i =>
        {
            try
            {
                backups[i] = Read(repository, directories[i], includeIncomplete);
            }
            catch (PgBackupException ex)
            {
                problems[i] = ex;
            }
        });

        var listed = backups.OfType<Backup>().ToList();
        listed.Sort((a, b) => b.StartTime.CompareTo(a.StartTime) is var c && c != 0 ? c : string.CompareOrdinal(b.Id, a.Id));
        return new BackupListing(listed, problems.OfType<PgBackupException>().ToList());
    }

    private static Backup? Read(RepositorySession repository, string directory, bool includeIncomplete)
    {
        var name = Path.GetFileName(directory);
        if (name.StartsWith(RepositoryLayout.IncompletePrefix, StringComparison.Ordinal))
        {
            return includeIncomplete && IncompleteMarker.TryRead(directory) is { } marker
                ? BackupMapper.FromIncomplete(marker, repository, directory)
                : null;
        }

        if (name.StartsWith('.'))
        {
            return null;
        }

        var (manifest, _) = ReadManifest(directory, name);
        return BackupMapper.FromManifest(manifest, repository, directory);
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
