using System.Text.Json;
using System.Text.Json.Serialization;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Notify;

/// <summary>
/// The de-duplication state: what was last reported per alert key, in a JSON file written atomically with mode
/// 0600. A missing or unreadable file counts as empty, so at worst an alert is sent once more.
/// </summary>
public sealed class AlertStateStore(string path)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public string Path => path;

    public IReadOnlyDictionary<string, AlertStateEntry> Load()
    {
        try
        {
            var file = JsonSerializer.Deserialize<StateFile>(File.ReadAllBytes(path), Json);
            return file?.Alerts ?? new Dictionary<string, AlertStateEntry>();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return new Dictionary<string, AlertStateEntry>();
        }
    }

    public void Save(string key, AlertStateEntry entry)
    {
        var alerts = new Dictionary<string, AlertStateEntry>(Load(), StringComparer.Ordinal) { [key] = entry };
        SecureFileSystem.WriteAllBytesAtomic(path, JsonSerializer.SerializeToUtf8Bytes(new StateFile(1, alerts), Json));
    }

    private sealed record StateFile(int Version, Dictionary<string, AlertStateEntry>? Alerts);
}
