using System.Text.Json.Serialization;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// Compile-time JSON metadata for reading manifests: listing a repository parses every manifest, and the
/// reflection-based serializer costs several times more per manifest on a cold start.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
