using System.Text.Json;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// catalog.json, stored encrypted inside the backup: table names and exact row counts are about the data,
/// so they are not left in the plaintext manifest.
/// </summary>
public sealed record BackupCatalog
{
    public required IReadOnlyList<TableRowCount> Tables { get; init; }
    public int LargeObjects { get; init; }
    public long LargeObjectBytes { get; init; }
    public IReadOnlyList<CatalogEntry> Entries { get; init; } = [];

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, RepositoryJson.Options);

    public static BackupCatalog Deserialize(byte[] json) =>
        JsonSerializer.Deserialize<BackupCatalog>(json, RepositoryJson.Options)
        ?? throw new JsonException("catalog.json is empty.");
}

public sealed record TableRowCount(string Schema, string Table, long Rows);

/// <summary>One archive table-of-contents entry (what pg_restore --list would show).</summary>
public sealed record CatalogEntry(int DumpId, string Description, string? Schema, string Name);
