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

/// <summary>Rows and COPY bytes of one table's data in the archive; DumpId is its TABLE DATA entry.</summary>
public sealed record TableRowCount(string Schema, string Table, long Rows, long Bytes = 0, int DumpId = 0);

/// <summary>
/// One archive table-of-contents entry (what pg_restore --list would show). Section is "PreData", "Data",
/// "PostData" or "None"; Dependencies are dump ids, as pg_dump recorded them.
/// </summary>
public sealed record CatalogEntry(int DumpId, string Description, string? Schema, string Name, string? Section = null, IReadOnlyList<int>? Dependencies = null);
