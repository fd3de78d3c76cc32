using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>The manifest fields every kind of backup records the same way; each job adds its own with <c>with</c>.</summary>
internal static class NewBackupManifest
{
    public static BackupManifest For(
        PendingBackup pending, RepositorySession repository, BackupRequest request, string type, string database, PgServerInfo server,
        ServerFacts serverFacts, PgTool tool, DateTimeOffset start, DateTimeOffset end, long rawBytes) => new()
    {
        Id = pending.Id,
        RepositoryId = repository.Config.Id,
        Type = type,
        Database = database,
        Server = serverFacts with
        {
            Host = request.Connection.Host,
            Port = request.Connection.Port,
            Version = $"{server.Major}.{server.Minor}",
            VersionNum = server.VersionNumber,
        },
        PgDumpVersion = tool.VersionText,
        StartTime = start,
        EndTime = end,
        DurationSeconds = Math.Round((end - start).TotalSeconds, 3),
        Compression = request.Compression.Name,
        CompressionLevel = request.Compression.Level,
        Encryption = pending.Encryption,
        Tags = request.Tags,
        Files = pending.Files,
        RawBytes = rawBytes,
        StoredBytes = pending.Files.Sum(f => f.SizeBytes),
        Tool = new ToolFacts { Name = "PgBackupTools", Version = EngineInfo.Version, MachineName = Environment.MachineName, OsUser = Environment.UserName },
    };
}
