using System.Globalization;
using System.Text;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Physical;

/// <summary>What to ask of BASE_BACKUP (PostgreSQL 15 and later option syntax).</summary>
internal sealed record BaseBackupCommandOptions
{
    public required string Label { get; init; }
    public required CompressionSettings Compression { get; init; }
    public bool FastCheckpoint { get; init; }

    /// <summary>The WAL needed for consistency goes into the archive (pg_basebackup -X fetch).</summary>
    public bool IncludeWal { get; init; }

    public int? MaxRateKilobytesPerSecond { get; init; }

    /// <summary>
    /// Have the server total the sizes of what it will send before it starts (PROGRESS), so progress can show a
    /// percentage. It costs the server one walk over the file sizes of the data directory.
    /// </summary>
    public bool EstimateSize { get; init; } = true;
}

/// <summary>The replication command text, with the options pg_basebackup -Ft sends, plus server-side compression.</summary>
internal static class BaseBackupCommand
{
    public static string Text(BaseBackupCommandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parts = new List<string>
        {
            "LABEL " + Literal(options.Label),
            "CHECKPOINT " + Literal(options.FastCheckpoint ? "fast" : "spread"),
        };
        if (options.IncludeWal)
        {
            // As pg_basebackup -X fetch: the server puts the WAL into the archive, so it need not wait for archiving.
            parts.Add("WAL true");
            parts.Add("WAIT false");
        }

        if (options.MaxRateKilobytesPerSecond is { } rate)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"MAX_RATE {rate}"));
        }

        if (options.EstimateSize)
        {
            parts.Add("PROGRESS true");
        }

        parts.Add("TABLESPACE_MAP true");
        parts.Add("MANIFEST 'yes'");
        parts.Add("MANIFEST_CHECKSUMS 'CRC32C'");
        parts.Add("TARGET 'client'");
        if (options.Compression.Algorithm != CompressionAlgorithm.None)
        {
            parts.Add("COMPRESSION " + Literal(options.Compression.Name));
            parts.Add("COMPRESSION_DETAIL " + Literal(string.Create(CultureInfo.InvariantCulture, $"level={options.Compression.Level}")));
        }

        return "BASE_BACKUP (" + string.Join(", ", parts) + ")";
    }

    private static string Literal(string value) => new StringBuilder("'").Append(value.Replace("'", "''", StringComparison.Ordinal)).Append('\'').ToString();
}
