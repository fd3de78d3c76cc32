namespace PgBackupTools.Engine.Retention;

/// <summary>
/// The facts retention decides on, one per backup or abandoned run. Backups are grouped by Server and Database.
/// VerificationStatus is null while a backup was never verified.
/// </summary>
public sealed record RetentionCandidate(string Id, string Database, DateTimeOffset StartTime, long SizeBytes, BackupStatus Status)
{
    public string Server { get; init; } = "";
    public VerificationOutcome? VerificationStatus { get; init; }

    /// <summary>A restore or verification is reading it right now (it holds a read lock).</summary>
    public bool BeingRead { get; init; }

    /// <summary>
    /// Only a definite verdict of Test-PgBackup counts: Passed protects, Failed marks the backup suspicious; a
    /// verification that was Skipped or ended in Error says nothing about the backup.
    /// </summary>
    public static RetentionCandidate From(Backup backup) =>
        new(backup.Id, backup.Database, backup.StartTime, backup.SizeBytes, backup.Status)
        {
            Server = backup.Server,
            VerificationStatus = backup.VerificationStatus switch
            {
                PgBackupTools.VerificationStatus.Passed => VerificationOutcome.Passed,
                PgBackupTools.VerificationStatus.Failed => VerificationOutcome.Failed,
                _ => null,
            },
        };
}
