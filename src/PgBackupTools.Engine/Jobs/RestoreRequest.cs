using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Postgres;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Everything Restore-PgBackup needs. Connection names the target server; its Database is ignored.</summary>
public sealed record RestoreRequest
{
    public required string Repository { get; init; }
    public KeySource? Key { get; init; }
    public required BackupSelector Backup { get; init; }
    public required PgConnectionSettings Connection { get; init; }
    public required string TargetDatabase { get; init; }
    public int Jobs { get; init; } = 1;
    public bool IncludeGlobals { get; init; }

    /// <summary>Replace a target database that already holds objects.</summary>
    public bool Force { get; init; }
}
