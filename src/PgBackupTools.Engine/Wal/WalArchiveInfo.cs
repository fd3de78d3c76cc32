using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgBackupTools.Engine.Wal;

/// <summary>wal/&lt;system id&gt;/archive.json: the cluster a WAL archive belongs to, fixed at its first push.</summary>
public sealed record WalArchiveInfo
{
    public const string FormatName = "pgbackuptools-wal-archive";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Decimal, as pg_controldata prints it (a string so that no JSON reader rounds it).</summary>
    public required string SystemIdentifier { get; init; }

    public required int WalSegmentSize { get; init; }
    public int? PgMajorVersion { get; init; }
    public required DateTimeOffset Created { get; init; }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, WalJsonContext.Default.WalArchiveInfo);

    public static WalArchiveInfo Deserialize(byte[] json) =>
        JsonSerializer.Deserialize(json, WalJsonContext.Default.WalArchiveInfo) ?? throw new JsonException("archive.json is empty.");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(WalArchiveInfo))]
internal sealed partial class WalJsonContext : JsonSerializerContext;
