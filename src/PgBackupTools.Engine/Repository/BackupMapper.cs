namespace PgBackupTools.Engine.Repository;

/// <summary>Turns what is on disk into the <see cref="Backup"/> objects users see.</summary>
public static class BackupMapper
{
    public static Backup FromManifest(BackupManifest manifest, RepositorySession repository, string directory) =>
        WithVerification(FromManifestOnly(manifest, repository, directory), VerificationStore.TryLoad(repository, directory));

    private static Backup WithVerification(Backup backup, VerificationResult? verification) => verification is null
        ? backup
        : backup with
        {
            LastVerified = verification.StartTime + verification.Duration,
            VerificationStatus = verification.Status,
            VerificationLevel = verification.Level,
        };

    private static Backup FromManifestOnly(BackupManifest manifest, RepositorySession repository, string directory) => new()
    {
        Id = manifest.Id,
        Database = manifest.Database,
        Server = manifest.Server.Display,
        Type = manifest.Type == "physical" ? BackupType.Physical : BackupType.Logical,
        Status = BackupStatus.Complete,
        StartTime = manifest.StartTime,
        EndTime = manifest.EndTime,
        Duration = TimeSpan.FromSeconds(manifest.DurationSeconds),
        SizeBytes = manifest.StoredBytes,
        RawSizeBytes = manifest.RawBytes,
        DatabaseSizeBytes = manifest.Server.DatabaseSizeBytes,
        CompressionRatio = manifest.StoredBytes > 0 ? Math.Round((double)manifest.RawBytes / manifest.StoredBytes, 2) : null,
        Compression = manifest.Compression,
        Encrypted = manifest.Encryption is not null,
        KeyId = manifest.Encryption?.KeyId,
        ServerVersion = manifest.Server.Version,
        PgDumpVersion = manifest.PgDumpVersion,
        TableCount = manifest.TableCount,
        TotalRows = manifest.TotalRows,
        Tags = manifest.Tags,
        ToolVersion = manifest.Tool.Version,
        MachineName = manifest.Tool.MachineName,
        Repository = repository.Layout.Root,
        Path = directory,
        StartLsn = manifest.Physical?.StartLsn,
        StopLsn = manifest.Physical?.StopLsn,
        Timeline = manifest.Physical?.Timeline,
        SystemIdentifier = manifest.Physical?.SystemIdentifier ?? manifest.Server.SystemIdentifier,
        ConsistentAt = manifest.Physical?.ConsistentAt,
    };

    public static Backup FromIncomplete(IncompleteMarker marker, RepositorySession repository, string directory) => new()
    {
        Id = marker.Id,
        Database = marker.Database,
        Server = marker.Server,
        Type = marker.Type == "physical" ? BackupType.Physical : BackupType.Logical,
        Status = RepositoryLock.IsHeld(repository.Layout, marker.LockName) ? BackupStatus.InProgress : BackupStatus.Incomplete,
        StartTime = marker.StartTime,
        Encrypted = repository.IsEncrypted,
        KeyId = repository.Config.Encryption?.KeyId,
        MachineName = marker.MachineName,
        Repository = repository.Layout.Root,
        Path = directory,
    };
}
