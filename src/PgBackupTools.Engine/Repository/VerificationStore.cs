using System.Text.Json;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// The latest verification of a backup, kept beside its manifest as verification.json with verification.mac
/// (same authenticator scheme as the manifest, purpose "verification mac"). Replaced atomically.
/// </summary>
public static class VerificationStore
{
    public const string FileName = "verification.json";
    public const string MacFileName = "verification.mac";
    private const string Purpose = "verification mac";

    public static void Save(RepositorySession repository, string backupDirectory, VerificationResult result)
    {
        repository.RequireUnlocked();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(result, RepositoryJson.Options);
        ManifestMac.WriteAuthenticated(Path.Combine(backupDirectory, FileName), Path.Combine(backupDirectory, MacFileName), bytes, repository.Master, Purpose);
    }

    /// <summary>
    /// The stored result, or null when there is none or it cannot be read. With an unlocked repository the
    /// result must authenticate; without a key it is shown as recorded (listing needs no key).
    /// </summary>
    public static VerificationResult? TryLoad(RepositorySession repository, string backupDirectory)
    {
        var path = Path.Combine(backupDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            if (repository.IsUnlocked)
            {
                if (!ManifestMac.VerifyFile(bytes, Path.Combine(backupDirectory, MacFileName), repository.Master, Purpose))
                {
                    return null;
                }
            }

            return JsonSerializer.Deserialize<VerificationResult>(bytes, RepositoryJson.Options);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
