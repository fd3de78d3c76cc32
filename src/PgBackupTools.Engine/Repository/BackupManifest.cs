using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgBackupTools.Engine.Repository;

/// <summary>manifest.json: everything known about one backup except the encrypted catalog.</summary>
public sealed record BackupManifest
{
    public const string FormatName = "pgbackuptools-backup";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required string Id { get; init; }
    public required string RepositoryId { get; init; }
    public required string Type { get; init; }
    public required string Database { get; init; }
    public required ServerFacts Server { get; init; }
    public string? PgDumpVersion { get; init; }
    public required DateTimeOffset StartTime { get; init; }
    public required DateTimeOffset EndTime { get; init; }
    public double DurationSeconds { get; init; }
    public required string Compression { get; init; }
    public int CompressionLevel { get; init; }
    public ManifestEncryption? Encryption { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public required IReadOnlyList<ManifestFile> Files { get; init; }
    public long RawBytes { get; init; }
    public long StoredBytes { get; init; }
    public int TableCount { get; init; }
    public long TotalRows { get; init; }
    public bool GlobalsIncludeRolePasswords { get; init; }
    public required ToolFacts Tool { get; init; }

    /// <summary>Set for Type "physical".</summary>
    public PhysicalFacts? Physical { get; init; }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, RepositoryJson.Options);

    public static BackupManifest Deserialize(byte[] json)
    {
        var manifest = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.BackupManifest)
            ?? throw new JsonException("manifest.json is empty.");
        // Compile-time metadata sets an absent init-only property to null, not to its initializer.
        return manifest.Tags is null ? manifest with { Tags = [] } : manifest;
    }

    public ManifestFile? FindFile(string role) => Files.FirstOrDefault(f => f.Role == role);
}

public sealed record ServerFacts
{
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string Version { get; init; }
    public int VersionNum { get; init; }
    public string? SystemIdentifier { get; init; }
    public long DatabaseSizeBytes { get; init; }
    public string? Encoding { get; init; }
    public string? Collate { get; init; }
    public string? Ctype { get; init; }

    [JsonIgnore]
    public string Display => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

public sealed record ManifestEncryption
{
    public required string Algorithm { get; init; }
    public required string KeyId { get; init; }
    public required int ChunkSize { get; init; }
    public required string WrappedDataKey { get; init; }
}

/// <summary>One stored file: its SHA-256 and size are of the bytes on disk; PlainBytes before compression.</summary>
public sealed record ManifestFile
{
    public required string Name { get; init; }

    /// <summary>"dump", "globals" or "catalog"; physical backups: "base" (the tar) and "pgmanifest" (PostgreSQL's backup_manifest).</summary>
    public required string Role { get; init; }

    public required string Compression { get; init; }
    public required long SizeBytes { get; init; }
    public required string Sha256 { get; init; }
    public required long PlainBytes { get; init; }
}

public sealed record ToolFacts
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string MachineName { get; init; }
    public string? OsUser { get; init; }
}
