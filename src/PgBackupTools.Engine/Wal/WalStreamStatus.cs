using System.Text.Json;
using System.Text.Json.Serialization;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// &lt;spool&gt;/status.json: what a running <c>pgbt-wal stream</c> is doing, rewritten atomically whenever it
/// changes, so Start-/Stop-/Get-PgWalStream (and anything else) can read it without talking to the process.
/// </summary>
public sealed record WalStreamStatus
{
    public const string FormatName = "pgbackuptools-wal-stream";
    public const string FileName = "status.json";

    public const string Starting = "starting";
    public const string Running = "running";
    public const string Retrying = "retrying";
    public const string Stopped = "stopped";
    public const string Failed = "failed";

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = 1;
    public required string State { get; init; }
    public required int ProcessId { get; init; }

    /// <summary>When the stream process started (UTC): with the id, it tells that process from a later one given the same id.</summary>
    public DateTimeOffset? ProcessStarted { get; init; }

    /// <summary>The pg_receivewal child while one runs, and when it started.</summary>
    public int? ReceiverProcessId { get; init; }

    public DateTimeOffset? ReceiverStarted { get; init; }

    public required string Slot { get; init; }
    public string? SystemIdentifier { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The newest WAL file moved into the repository, and when.</summary>
    public string? LastSegment { get; init; }

    public DateTimeOffset? LastPushed { get; init; }
    public long PushedCount { get; init; }
    public string? LastError { get; init; }

    public static string PathIn(string spool) => Path.Combine(spool, FileName);

    public void Write(string spool) =>
        SecureFileSystem.WriteAllBytesAtomic(PathIn(spool), JsonSerializer.SerializeToUtf8Bytes(this, WalStreamJsonContext.Default.WalStreamStatus));

    /// <summary>Null when there is no (readable) status file.</summary>
    public static WalStreamStatus? TryRead(string spool)
    {
        try
        {
            var status = JsonSerializer.Deserialize(File.ReadAllBytes(PathIn(spool)), WalStreamJsonContext.Default.WalStreamStatus);
            return status?.Format == FormatName ? status : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WalStreamStatus))]
internal sealed partial class WalStreamJsonContext : JsonSerializerContext;
