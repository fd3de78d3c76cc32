using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Physical;

/// <summary>
/// PostgreSQL's backup_manifest (format versions 1 and 2): the files of a base backup with sizes and checksums,
/// the WAL ranges it needs, and a SHA-256 over the manifest itself.
/// </summary>
public sealed class PgBackupManifest
{
    private readonly Dictionary<string, PgManifestFile> _byPath;

    private PgBackupManifest(int version, ulong? systemIdentifier, List<PgManifestFile> files, List<PgManifestWalRange> walRanges, string checksum, string? computed)
    {
        Version = version;
        SystemIdentifier = systemIdentifier;
        Files = files;
        WalRanges = walRanges;
        ManifestChecksum = checksum;
        ComputedChecksum = computed;
        _byPath = new Dictionary<string, PgManifestFile>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!_byPath.TryAdd(file.Path, file))
            {
                throw Invalid($"the path '{file.Path}' is listed twice");
            }
        }
    }

    public int Version { get; }

    /// <summary>Only in version 2 (PostgreSQL 17 and later).</summary>
    public ulong? SystemIdentifier { get; }

    public IReadOnlyList<PgManifestFile> Files { get; }

    public IReadOnlyList<PgManifestWalRange> WalRanges { get; }

    /// <summary>The Manifest-Checksum value as written (SHA-256, hex).</summary>
    public string ManifestChecksum { get; }

    /// <summary>SHA-256 of the checksummed part, lower-case hex; null when the file's layout makes that part undefined.</summary>
    public string? ComputedChecksum { get; }

    public bool ChecksumMatches => ComputedChecksum is not null
        && string.Equals(ComputedChecksum, ManifestChecksum, StringComparison.OrdinalIgnoreCase);

    public bool TryGetFile(string path, out PgManifestFile file) => _byPath.TryGetValue(path, out file!);

    /// <summary>Throws <see cref="IntegrityException"/> unless <see cref="ChecksumMatches"/>.</summary>
    public void VerifyChecksum()
    {
        if (!ChecksumMatches)
        {
            throw new IntegrityException(
                IntegrityFailure.ChecksumMismatch,
                "backup_manifest",
                ComputedChecksum is null
                    ? "The base backup's backup_manifest cannot be checked: it must end with a newline and have the Manifest-Checksum on its own last line. The manifest is damaged."
                    : $"The base backup's backup_manifest does not match its own checksum (stored {ManifestChecksum}, computed {ComputedChecksum}). The manifest was changed or damaged.");
        }
    }

    public static PgBackupManifest Parse(ReadOnlySpan<byte> json)
    {
        var computed = ComputeChecksum(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            throw Invalid($"it is not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the top level is not a JSON object");
            }

            var version = RequireInt(root, "PostgreSQL-Backup-Manifest-Version", "the manifest");
            if (version is not (1 or 2))
            {
                throw Invalid($"manifest version {version} is not supported (expected 1 or 2)");
            }

            ulong? systemIdentifier = root.TryGetProperty("System-Identifier", out var sid) && sid.ValueKind == JsonValueKind.Number && sid.TryGetUInt64(out var id) ? id : null;
            var files = RequireArray(root, "Files").Select(ParseFile).ToList();
            var ranges = RequireArray(root, "WAL-Ranges").Select(ParseWalRange).ToList();
            var checksum = RequireString(root, "Manifest-Checksum", "the manifest");
            return new PgBackupManifest(version, systemIdentifier, files, ranges, checksum, computed);
        }
    }

    /// <summary>
    /// PostgreSQL's rule (verify_manifest_checksum in parse_manifest.c): the file must end with a newline, and the
    /// checksum covers every byte up to and including the newline before the last line, which holds the checksum.
    /// </summary>
    private static string? ComputeChecksum(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty || json[^1] != (byte)'\n')
        {
            return null;
        }

        var penultimate = json[..^1].LastIndexOf((byte)'\n');
        return penultimate < 0 ? null : Convert.ToHexString(SHA256.HashData(json[..(penultimate + 1)])).ToLowerInvariant();
    }

    private static PgManifestFile ParseFile(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("an entry of Files is not an object");
        }

        string path;
        if (element.TryGetProperty("Path", out var plain) && plain.ValueKind == JsonValueKind.String)
        {
            path = plain.GetString()!;
        }
        else if (element.TryGetProperty("Encoded-Path", out var encoded) && encoded.ValueKind == JsonValueKind.String)
        {
            try
            {
                path = Encoding.UTF8.GetString(Convert.FromHexString(encoded.GetString()!));
            }
            catch (FormatException ex)
            {
                throw Invalid($"Encoded-Path '{encoded.GetString()}' is not hex", ex);
            }
        }
        else
        {
            throw Invalid("an entry of Files has neither Path nor Encoded-Path");
        }

        var size = element.TryGetProperty("Size", out var sizeElement) && sizeElement.ValueKind == JsonValueKind.Number && sizeElement.TryGetInt64(out var s) && s >= 0
            ? s
            : throw Invalid($"the entry for '{path}' has no valid Size");
        var algorithm = element.TryGetProperty("Checksum-Algorithm", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "NONE";
        string? checksum = null;
        if (!string.Equals(algorithm, "NONE", StringComparison.OrdinalIgnoreCase))
        {
            checksum = RequireString(element, "Checksum", $"the entry for '{path}'");
        }

        var lastModified = element.TryGetProperty("Last-Modified", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return new PgManifestFile(path, size, lastModified, algorithm, checksum);
    }

    private static PgManifestWalRange ParseWalRange(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("an entry of WAL-Ranges is not an object");
        }

        var timeline = RequireInt(element, "Timeline", "a WAL range");
        return new PgManifestWalRange(
            timeline > 0 ? (uint)timeline : throw Invalid($"WAL range timeline {timeline} is not valid"),
            RequireLsn(element, "Start-LSN"),
            RequireLsn(element, "End-LSN"));
    }

    private static Lsn RequireLsn(JsonElement element, string name)
    {
        var text = RequireString(element, name, "a WAL range");
        return Lsn.TryParse(text, out var lsn) ? lsn : throw Invalid($"{name} '{text}' is not a WAL location");
    }

    private static JsonElement.ArrayEnumerator RequireArray(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw Invalid($"the manifest has no {name} array");

    private static string RequireString(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Invalid($"{where} has no {name} string");

    private static int RequireInt(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Invalid(string.Create(CultureInfo.InvariantCulture, $"{where} has no {name} number"));

    private static PgBackupException Invalid(string problem, Exception? inner = null) => new(
        "BackupManifestInvalid",
        ErrorKind.InvalidData,
        $"The base backup's backup_manifest is not valid: {problem}. The backup is damaged or was not written by pg_basebackup.",
        inner)
    {
        Target = "backup_manifest",
    };
}
