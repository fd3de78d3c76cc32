namespace PgBackupTools.Engine.Repository;

/// <summary>A committed backup as read from disk. Authenticated is true once its manifest MAC was checked with the key.</summary>
public sealed record StoredBackup(BackupManifest Manifest, string Directory, bool Authenticated);

/// <summary>What a listing found: the backups, and the folders it could not read (each reported, none hidden).</summary>
public sealed record BackupListing(IReadOnlyList<Backup> Backups, IReadOnlyList<Errors.PgBackupException> Problems);
