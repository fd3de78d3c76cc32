namespace PgBackupTools.Engine.Retention;

/// <summary>
/// The facts retention decides on, one per backup or abandoned run. Backups are grouped by Server and Database.
/// VerificationStatus is null while a backup was never verified.
/// </summary>
public sealed record RetentionCandidate(string Id, string Database, DateTimeOffset StartTime, long SizeBytes, BackupStatus Status)
{
    public string Server { get; init; } = "";
    public VerificationOutcome? VerificationStatus { get; init; }

    public static RetentionCandidate From(Backup backup, VerificationOutcome? verification = null) =>
        new(backup.Id, backup.Database, backup.StartTime, backup.SizeBytes, backup.Status)
        {
            Server = backup.Server,
            VerificationStatus = verification,
        };
}
