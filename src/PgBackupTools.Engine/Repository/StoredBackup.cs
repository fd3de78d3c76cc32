using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Repository;

/// <summary>A committed backup as read from disk. Authenticated is true once its manifest MAC was checked with the key.</summary>
public sealed record StoredBackup(BackupManifest Manifest, string Directory, bool Authenticated)
{
    /// <summary>The file with this role ("dump", "globals", "catalog"); a manifest without it is incomplete.</summary>
    public ManifestFile RequireFile(string role) => Manifest.FindFile(role)
        ?? throw new IntegrityException(IntegrityFailure.MissingFile, $"backups/{Manifest.Id}", $"Backup '{Manifest.Id}' lists no {role} file; the manifest is incomplete.");

    /// <summary>Reads a small file of the backup whole, authenticated and decompressed.</summary>
    public Task<byte[]> ReadAllAsync(string role, DataKey? dataKey, CancellationToken cancellationToken) =>
        StoredFileReader.ReadAllAsync(Directory, RequireFile(role), dataKey, Manifest.Id, cancellationToken);

    public async Task<BackupCatalog> ReadCatalogAsync(DataKey? dataKey, CancellationToken cancellationToken) =>
        BackupCatalog.Deserialize(await ReadAllAsync("catalog", dataKey, cancellationToken).ConfigureAwait(false));
}

/// <summary>What a listing found: the backups, and the folders it could not read (each reported, none hidden).</summary>
public sealed record BackupListing(IReadOnlyList<Backup> Backups, IReadOnlyList<PgBackupException> Problems);
