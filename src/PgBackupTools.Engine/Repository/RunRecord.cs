using System.Text.Json;

namespace PgBackupTools.Engine.Repository;

public enum RunOutcome
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>
/// What one Invoke-PgBackup run did, failed runs included, so health can tell "failed at 02:00" from
/// "never ran". Stored as runs/&lt;start&gt;-&lt;run id&gt;.json with a .mac beside it.
/// </summary>
public sealed record RunRecord
{
    public required string RunId { get; init; }
    public required string Database { get; init; }
    public required string Server { get; init; }
    public required DateTimeOffset StartTime { get; init; }
    public required DateTimeOffset EndTime { get; init; }
    public required RunOutcome Outcome { get; init; }
    public string? BackupId { get; init; }
    public string? ErrorId { get; init; }
    public string? Message { get; init; }
    public long RawBytes { get; init; }
    public long StoredBytes { get; init; }
    public string MachineName { get; init; } = Environment.MachineName;

    public double DurationSeconds => Math.Round((EndTime - StartTime).TotalSeconds, 3);

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, RepositoryJson.Options);

    public static RunRecord? TryDeserialize(byte[] json)
    {
        try
        {
            return JsonSerializer.Deserialize<RunRecord>(json, RepositoryJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
