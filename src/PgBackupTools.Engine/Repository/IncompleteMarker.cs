using System.Text.Json;

namespace PgBackupTools.Engine.Repository;

/// <summary>run.json inside an .incomplete- folder: enough to list an abandoned run (Get-PgBackup -IncludeIncomplete).</summary>
public sealed record IncompleteMarker(string Id, string Type, string Database, string Server, string LockName, DateTimeOffset StartTime, int ProcessId, string MachineName)
{
    public const string FileName = "run.json";

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, RepositoryJson.Options);

    public static IncompleteMarker? TryRead(string directory)
    {
        try
        {
            return JsonSerializer.Deserialize<IncompleteMarker>(File.ReadAllBytes(Path.Combine(directory, FileName)), RepositoryJson.Options);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
