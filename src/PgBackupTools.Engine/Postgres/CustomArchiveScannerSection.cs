namespace PgBackupTools.Engine.Postgres;

/// <summary>The section a TOC entry belongs to (teSection in pg_backup.h; the numbers are what the archive stores).</summary>
public enum CustomArchiveScannerSection
{
    None = 1,
    PreData = 2,
    Data = 3,
    PostData = 4,
}
