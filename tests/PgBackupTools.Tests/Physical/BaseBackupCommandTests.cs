using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Pipeline;
using Xunit;

namespace PgBackupTools.Tests.Physical;

public sealed class BaseBackupCommandTests
{
    private static BaseBackupCommandOptions Options(CompressionSettings? compression = null) => new()
    {
        Label = "PgBackupTools 20261206T000000Z-abcdef",
        Compression = compression ?? CompressionSettings.Create(CompressionAlgorithm.Zstd, 1),
    };

    [Fact]
    public void Asks_for_a_spread_checkpoint_a_crc32c_manifest_and_server_zstd_by_default()
    {
        Assert.Equal(
            "BASE_BACKUP (LABEL 'PgBackupTools 20261206T000000Z-abcdef', CHECKPOINT 'spread', PROGRESS true, TABLESPACE_MAP true, MANIFEST 'yes', MANIFEST_CHECKSUMS 'CRC32C', TARGET 'client', COMPRESSION 'zstd', COMPRESSION_DETAIL 'level=1')",
            BaseBackupCommand.Text(Options()));
    }

    [Fact]
    public void Include_wal_fetches_it_without_waiting_for_archiving_as_pg_basebackup_X_fetch()
    {
        var text = BaseBackupCommand.Text(Options() with { IncludeWal = true, FastCheckpoint = true, MaxRateKilobytesPerSecond = 2048 });

        Assert.Contains("CHECKPOINT 'fast', WAL true, WAIT false, MAX_RATE 2048,", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_size_estimate_there_is_no_PROGRESS()
    {
        Assert.DoesNotContain("PROGRESS", BaseBackupCommand.Text(Options() with { EstimateSize = false }), StringComparison.Ordinal);
    }

    [Fact]
    public void Gzip_has_its_level_and_none_asks_for_no_compression()
    {
        Assert.EndsWith("COMPRESSION 'gzip', COMPRESSION_DETAIL 'level=9')", BaseBackupCommand.Text(Options(CompressionSettings.Create(CompressionAlgorithm.Gzip, 9))), StringComparison.Ordinal);
        Assert.DoesNotContain("COMPRESSION", BaseBackupCommand.Text(Options(CompressionSettings.Create(CompressionAlgorithm.None, null))), StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_in_the_label_is_doubled()
    {
        Assert.StartsWith("BASE_BACKUP (LABEL 'it''s', ", BaseBackupCommand.Text(Options() with { Label = "it's" }), StringComparison.Ordinal);
    }
}
