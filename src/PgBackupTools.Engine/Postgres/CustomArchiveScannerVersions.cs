namespace PgBackupTools.Engine.Postgres;

/// <summary>Archive format versions (K_VERS_* in pg_backup_archiver.h) whose layout the scanner depends on.</summary>
internal static class CustomArchiveScannerVersions
{
    /// <summary>1.12 (PostgreSQL 9.0): separate BLOB entries. Older layouts are not parsed.</summary>
    public static readonly Version Oldest = new(1, 12);

    /// <summary>1.14 (PostgreSQL 12): table access method string in each TOC entry.</summary>
    public static readonly Version TableAm = new(1, 14);

    /// <summary>1.15 (PostgreSQL 16): compression algorithm byte replaces the compression level int.</summary>
    public static readonly Version CompressionAlgorithm = new(1, 15);

    /// <summary>1.16 (PostgreSQL 17): relkind int in each TOC entry; BLOB METADATA entries and several BLOBS blocks.</summary>
    public static readonly Version RelKind = new(1, 16);

    /// <summary>The newest minor version whose layout is known; any revision of it is accepted, as pg_restore does.</summary>
    public static readonly Version Newest = new(1, 16);

    public static bool IsSupported(Version version) =>
        version.Major == 1 && version >= Oldest && version.Minor <= Newest.Minor;
}
