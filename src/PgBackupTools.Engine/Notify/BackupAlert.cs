namespace PgBackupTools.Engine.Notify;

/// <summary>The alerts Invoke-PgBackup -Notify sends: Critical when a backup fails, OK (a recovery) when it works again.</summary>
public static class BackupAlert
{
    public static Alert Failed(string repository, string database, string server, string errorId, string message, DateTimeOffset time) => new()
    {
        Severity = AlertSeverity.Critical,
        Title = $"Backup of {database} on {server} failed",
        Text = $"{errorId}: {message}",
        Facts = [new AlertFact("Database", database), new AlertFact("Server", server), new AlertFact("Error", errorId), new AlertFact("Repository", repository)],
        Time = time,
        Key = Key(repository, database, server),
    };

    public static Alert Succeeded(Backup backup) => new()
    {
        Severity = AlertSeverity.OK,
        Title = $"Backup of {backup.Database} on {backup.Server} succeeded",
        Text = $"Backup {backup.Id}: {backup.SizeBytes} bytes stored in {backup.Duration?.TotalSeconds:0.#} s.",
        Facts = [new AlertFact("Database", backup.Database), new AlertFact("Server", backup.Server), new AlertFact("Backup", backup.Id)],
        Time = backup.EndTime ?? backup.StartTime,
        Key = Key(backup.Repository, backup.Database, backup.Server),
    };

    private static string Key(string repository, string database, string server) => $"backup:{repository}:{server}/{database}";
}
