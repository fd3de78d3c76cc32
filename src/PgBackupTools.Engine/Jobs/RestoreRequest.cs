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

    /// <summary>Replace a target database that already holds objects (with Schemas/Tables: replace those tables' rows).</summary>
    public bool Force { get; init; }

    /// <summary>Restore only the tables of these schemas (and/or the tables named in <see cref="Tables"/>) into the target.</summary>
    public IReadOnlyList<string>? Schemas { get; init; }

    /// <summary>Restore only these tables ("table" or "schema.table") into the target, which may already exist.</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    public bool IsPartial => Schemas is { Count: > 0 } || Tables is { Count: > 0 };
}
