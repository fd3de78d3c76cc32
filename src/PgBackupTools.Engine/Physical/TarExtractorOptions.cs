namespace PgBackupTools.Engine.Physical;

public sealed record TarExtractorOptions
{
    /// <summary>When set, every file listed with a CRC32C is checked against it while it is written.</summary>
    public PgBackupManifest? Manifest { get; init; }

    /// <summary>Expected CRC32C value per relative path ("base/1/1259"); null for files not to check.</summary>
    public Func<string, uint?>? ExpectedCrc32C { get; init; }

    /// <summary>Called with the full path of each folder and file just created, e.g. to chown it.</summary>
    public Action<string>? PathCreated { get; init; }
}
