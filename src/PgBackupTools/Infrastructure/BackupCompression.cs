namespace PgBackupTools.Commands.Infrastructure;

/// <summary>
/// -Compression values. Mirrors the engine's enum on purpose: a value-type field of an engine type would make
/// PowerShell load the engine while it scans the cmdlets, before the private load context is set up.
/// </summary>
public enum BackupCompression
{
    Zstd,
    Gzip,
    None,
}

/// <summary>-Type values of Invoke-PgBackup and Restore-PgBackup (mirrors the engine's BackupType, for the same reason).</summary>
public enum BackupKind
{
    Logical,
    Physical,
}
