namespace PgBackupTools.Engine.Physical;

/// <summary>What a base backup's tar stream held, and every way it disagreed with its own backup_manifest.</summary>
public sealed record BaseBackupScanResult
{
    public required BackupLabel Label { get; init; }

    /// <summary>backup_label as PostgreSQL wrote it.</summary>
    public required string LabelText { get; init; }

    /// <summary>The tablespace_map content; null when the stream had none, empty when it listed no tablespace.</summary>
    public string? TablespaceMap { get; init; }

    public required PgBackupManifest Manifest { get; init; }

    /// <summary>backup_manifest exactly as it was in the stream, to be stored next to the backup.</summary>
    public required byte[] ManifestBytes { get; init; }

    /// <summary>Regular files in the stream, backup_manifest included.</summary>
    public required long FileCount { get; init; }

    /// <summary>Bytes of regular file content (not tar headers or padding).</summary>
    public required long TotalBytes { get; init; }

    /// <summary>Files whose CRC32C was compared with the manifest's.</summary>
    public required long VerifiedChecksumCount { get; init; }

    public required IReadOnlyList<string> Problems { get; init; }

    public bool IsConsistent => Problems.Count == 0;
}
