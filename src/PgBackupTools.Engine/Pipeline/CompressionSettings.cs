using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Pipeline;

public enum CompressionAlgorithm
{
    Zstd,
    Gzip,
    None,
}

/// <summary>Which compressor a stored file uses, with a validated level.</summary>
public sealed record CompressionSettings(CompressionAlgorithm Algorithm, int Level)
{
    public const int DefaultZstdLevel = 3;

    public static CompressionSettings Default { get; } = new(CompressionAlgorithm.Zstd, DefaultZstdLevel);

    /// <summary>The settings for an algorithm and an optional level; zstd without a level gets <paramref name="zstdDefault"/>.</summary>
    public static CompressionSettings Create(CompressionAlgorithm algorithm, int? level, int zstdDefault = DefaultZstdLevel)
    {
        var (min, max, fallback) = algorithm switch
        {
            CompressionAlgorithm.Zstd => (1, 19, zstdDefault),
            CompressionAlgorithm.Gzip => (1, 9, 6),
            _ => (0, 0, 0),
        };
        var chosen = level ?? fallback;
        if (chosen < min || chosen > max)
        {
            throw new PgBackupException(
                "CompressionLevelOutOfRange",
                ErrorKind.InvalidArgument,
                $"Compression level {chosen} is not valid for {algorithm}; use {min} to {max}.");
        }

        return new CompressionSettings(algorithm, chosen);
    }

    /// <summary>The name recorded in manifests: "zstd", "gzip" or "none".</summary>
    public string Name => Algorithm.ToString().ToLowerInvariant();

    public string FileSuffix => Algorithm switch
    {
        CompressionAlgorithm.Zstd => ".zst",
        CompressionAlgorithm.Gzip => ".gz",
        _ => "",
    };

    public static CompressionAlgorithm ParseName(string name) => name switch
    {
        "zstd" => CompressionAlgorithm.Zstd,
        "gzip" => CompressionAlgorithm.Gzip,
        "none" => CompressionAlgorithm.None,
        _ => throw new PgBackupException(
            "CompressionUnsupported",
            ErrorKind.InvalidData,
            $"The backup uses compression '{name}', which this version of PgBackupTools cannot read. Update the module."),
    };
}
