namespace PgBackupTools.Engine.Postgres;

/// <summary>One entry of a custom archive's table of contents, as pg_restore --list would show it.</summary>
public sealed record CustomArchiveScannerTocEntry
{
    public required int DumpId { get; init; }

    public required CustomArchiveScannerSection Section { get; init; }

    /// <summary>The object type: "TABLE", "TABLE DATA", "INDEX", "CONSTRAINT", "SEQUENCE SET", "BLOB", "BLOBS", ...</summary>
    public required string Desc { get; init; }

    /// <summary>The schema, or null for objects outside schemas (large objects, the database itself, ...).</summary>
    public required string? Namespace { get; init; }

    /// <summary>The object's name, e.g. the table name for TABLE and TABLE DATA, the oid for BLOB.</summary>
    public required string Tag { get; init; }

    public required string? Owner { get; init; }

    public required string? Tablespace { get; init; }

    /// <summary>Null before archive version 1.14, and for objects without an access method.</summary>
    public required string? TableAccessMethod { get; init; }

    /// <summary>pg_class.relkind of the object; archives before version 1.16 do not record it.</summary>
    public required char? RelKind { get; init; }

    /// <summary>The catalog the object lives in (pg_class, pg_largeobject, ...) as an oid; 0 when not applicable.</summary>
    public required uint CatalogTableOid { get; init; }

    /// <summary>The object's oid within <see cref="CatalogTableOid"/>; for TABLE DATA, the table's oid.</summary>
    public required uint CatalogOid { get; init; }

    /// <summary>True when pg_dump wrote a data block for this entry (TABLE DATA, BLOBS).</summary>
    public required bool HasData { get; init; }

    /// <summary>Dump ids of the entries this one depends on.</summary>
    public required IReadOnlyList<int> Dependencies { get; init; }
}
