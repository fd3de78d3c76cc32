using System.Text;
using PgBackupTools.Engine.Physical;
using Xunit;

namespace PgBackupTools.Tests.Physical;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Check_value_of_123456789_is_e3069283(bool hardware)
    {
        var crc = new Crc32C(hardware);
        crc.Append("123456789"u8);
        Assert.Equal(0xE3069283u, crc.Value);
        Assert.Equal("e3069283", crc.Hex);
        Assert.Equal("839206e3", crc.ManifestHex);
    }

    [Fact]
    public void Empty_input_is_zero()
    {
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal("00000000", new Crc32C().Hex);
    }

    [Fact]
    public void Known_vectors_from_rfc3720()
    {
        // iSCSI (RFC 3720 B.4): 32 bytes of zeros, of 0xFF, ascending 0..31.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void Hardware_and_table_paths_agree_on_random_data_in_random_pieces()
    {
        var random = new Random(3720);
        for (var round = 0; round < 50; round++)
        {
            var data = new byte[random.Next(0, 5000)];
            random.NextBytes(data);
            var table = new Crc32C(useHardware: false);
            var hardware = new Crc32C(useHardware: true);
            var offset = 0;
            while (offset < data.Length)
            {
                var piece = Math.Min(random.Next(1, 40), data.Length - offset);
                table.Append(data.AsSpan(offset, piece));
                hardware.Append(data.AsSpan(offset, piece));
                offset += piece;
            }

            Assert.False(table.UseHardware);
            Assert.Equal(Crc32C.IsHardwareAvailable, hardware.UseHardware);
            Assert.Equal(table.Value, hardware.Value);
            Assert.Equal(Crc32C.Compute(data), table.Value);
        }
    }

    [Fact]
    public void Matches_checksum_postgresql_wrote_for_a_pg_version_file()
    {
        // backup_manifest of a PostgreSQL 15 base backup (x86-64) lists PG_VERSION ("15\n") with checksum 8a744722:
        // the bytes of the CRC in memory order.
        var crc = new Crc32C();
        crc.Append(Encoding.ASCII.GetBytes("15\n"));
        Assert.Equal("8a744722", crc.ManifestHex);
        Assert.Equal("2247748a", crc.Hex);
        Assert.True(Crc32C.MatchesManifestHex(crc.Value, "8a744722"));
        Assert.True(Crc32C.MatchesManifestHex(crc.Value, "8A744722"));
        Assert.False(Crc32C.MatchesManifestHex(crc.Value, "8a744723"));
        Assert.False(Crc32C.MatchesManifestHex(crc.Value, null));
    }

    [Fact]
    public void Reset_starts_over()
    {
        var crc = new Crc32C();
        crc.Append("garbage"u8);
        crc.Reset();
        crc.Append("123456789"u8);
        Assert.Equal(0xE3069283u, crc.Value);
    }
}
