namespace PgBackupTools;

/// <summary>A repository's identity and encryption settings (Initialize-PgBackupRepository, Set-PgBackupRepositoryKey).</summary>
public sealed record RepositoryInfo
{
    public required string Path { get; init; }
    public required string Id { get; init; }
    public required int FormatVersion { get; init; }
    public required bool Encrypted { get; init; }
    public string? KeyId { get; init; }

    /// <summary>"Passphrase", "KeyFile" or "None".</summary>
    public required string KeySource { get; init; }

    public string? Kdf { get; init; }
    public DateTimeOffset Created { get; init; }
}
