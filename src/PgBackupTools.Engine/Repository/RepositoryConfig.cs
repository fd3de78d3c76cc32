using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgBackupTools.Engine.Repository;

/// <summary>config.json: what a reader needs before it can unlock anything.</summary>
public sealed record RepositoryConfig
{
    public const string FormatName = "pgbackuptools-repository";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public required string Id { get; init; }
    public required DateTimeOffset Created { get; init; }
    public EncryptionSettings? Encryption { get; init; }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, RepositoryJson.Options);

    // Source-generated so that pgbt-wal, compiled ahead of time without reflection, can open a repository.
    public static RepositoryConfig Deserialize(byte[] json) =>
        JsonSerializer.Deserialize(json, RepositoryConfigJsonContext.Default.RepositoryConfig)
        ?? throw new JsonException("config.json is empty.");
}

public sealed record EncryptionSettings
{
    public string Algorithm { get; init; } = "AES-256-GCM";
    public required int ChunkSize { get; init; }

    /// <summary>"passphrase" or "keyfile".</summary>
    public required string KeySource { get; init; }

    public required string KeyId { get; init; }
    public required KdfSettings Kdf { get; init; }

    /// <summary>base64(nonce ‖ ciphertext ‖ tag) of the master key under the key-encryption key.</summary>
    public required string WrappedMasterKey { get; init; }
}

public sealed record KdfSettings
{
    public required string Algorithm { get; init; }
    public int Iterations { get; init; }
    public required string Salt { get; init; }
}

internal static class RepositoryJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RepositoryConfig))]
internal sealed partial class RepositoryConfigJsonContext : JsonSerializerContext;
