namespace PgBackupTools;

/// <summary>What Restore-PgBackup did.</summary>
public sealed record RestoreResult
{
    public required string BackupId { get; init; }
    public required string SourceDatabase { get; init; }
    public required string TargetDatabase { get; init; }
    public required string Server { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public TimeSpan Duration { get; init; }
    public int Tables { get; init; }
    public long Rows { get; init; }
    public int Jobs { get; init; }
    public bool GlobalsRestored { get; init; }
    public bool ReplacedExisting { get; init; }
}
