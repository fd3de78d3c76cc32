namespace PgBackupTools.Engine.Postgres;

/// <summary>Everything <see cref="CustomArchiveScanner"/> learned from one complete pg_dump custom archive.</summary>
public sealed record CustomArchiveScannerResult
{
    /// <summary>The archive format version (1.14 from pg_dump 12-15, 1.15 from 16, 1.16 from 17).</summary>
    public required Version ArchiveVersion { get; init; }

    /// <summary>The database name as pg_dump's connection reported it.</summary>
    public required string? DatabaseName { get; init; }

    /// <summary>The server's version string, e.g. "15.18 (Debian 15.18-0+deb12u1)".</summary>
    public required string? ServerVersion { get; init; }

    /// <summary>The pg_dump version string.</summary>
    public required string? DumpVersion { get; init; }

    /// <summary>The database encoding named by the archive's ENCODING entry, e.g. "UTF8"; null if there was none.</summary>
    public required string? Encoding { get; init; }

    public required IReadOnlyList<CustomArchiveScannerTocEntry> TocEntries { get; init; }

    /// <summary>One item per TABLE DATA block, in stream order.</summary>
    public required IReadOnlyList<CustomArchiveScannerTableData> Tables { get; init; }

    /// <summary>Large objects found in BLOBS blocks.</summary>
    public required long LargeObjectCount { get; init; }

    /// <summary>Total size of the large objects' contents.</summary>
    public required long LargeObjectBytes { get; init; }

    /// <summary>Length of the whole archive stream.</summary>
    public required long BytesObserved { get; init; }
}
