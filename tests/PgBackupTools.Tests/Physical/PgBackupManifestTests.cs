using System.Text;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Wal;
using Xunit;

namespace PgBackupTools.Tests.Physical;

public sealed class PgBackupManifestTests
{
    private static byte[] Sample() => new ManifestTestBuilder()
        .File("backup_label", BackupLabelTests.Pg15Label)
        .File("tablespace_map", "")
        .File("PG_VERSION", "15\n")
        .Raw("\"Encoded-Path\": \"626173652f312f6e616d65\", \"Size\": 4, \"Last-Modified\": \"2026-12-03 13:40:01 GMT\", \"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"00000000\"")
        .Raw("\"Path\": \"global/pg_control\", \"Size\": 8192, \"Last-Modified\": \"2026-12-03 13:40:01 GMT\"")
        .WalRange(1, "0/2000028", "0/2000100")
        .WalRange(2, "0/3000000", "0/30000A0")
        .Build();

    private static byte[] Replace(byte[] manifest, string from, string to)
    {
        var text = Encoding.UTF8.GetString(manifest);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void Parses_files_wal_ranges_and_verifies_its_checksum()
    {
        var manifest = PgBackupManifest.Parse(Sample());

        Assert.Equal(1, manifest.Version);
        Assert.Null(manifest.SystemIdentifier);
        Assert.Equal(["backup_label", "tablespace_map", "PG_VERSION", "base/1/name", "global/pg_control"], manifest.Files.Select(f => f.Path));
        var version = manifest.Files[2];
        Assert.Equal(3, version.Size);
        Assert.Equal("CRC32C", version.ChecksumAlgorithm);
        Assert.Equal("8a744722", version.Checksum);
        Assert.True(version.HasCrc32C);
        Assert.Equal("2026-12-03 13:40:01 GMT", version.LastModified);
        var control = manifest.Files[4];
        Assert.Equal("NONE", control.ChecksumAlgorithm);
        Assert.Null(control.Checksum);
        Assert.False(control.HasCrc32C);
        Assert.True(manifest.TryGetFile("global/pg_control", out var found));
        Assert.Same(control, found);
        Assert.False(manifest.TryGetFile("nope", out _));
        Assert.Equal(
            [new PgManifestWalRange(1, Lsn.Parse("0/2000028"), Lsn.Parse("0/2000100")), new PgManifestWalRange(2, Lsn.Parse("0/3000000"), Lsn.Parse("0/30000A0"))],
            manifest.WalRanges);
        Assert.True(manifest.ChecksumMatches);
        Assert.Equal(manifest.ManifestChecksum, manifest.ComputedChecksum);
        manifest.VerifyChecksum();
    }

    [Fact]
    public void Version_2_system_identifier_is_read()
    {
        var bytes = new ManifestTestBuilder { Version = 2 }.File("PG_VERSION", "17\n").Build();
        bytes = Replace(bytes, "\"PostgreSQL-Backup-Manifest-Version\": 2,", "\"PostgreSQL-Backup-Manifest-Version\": 2,\n\"System-Identifier\": 7444444444444444444,");

        var manifest = PgBackupManifest.Parse(bytes);

        Assert.Equal(7444444444444444444UL, manifest.SystemIdentifier);
        Assert.False(manifest.ChecksumMatches); // the identifier was added after the checksum was computed
    }

    [Theory]
    [InlineData("\"Size\": 3,", "\"Size\": 4,")]
    [InlineData("\"8a744722\"", "\"8a744723\"")]
    [InlineData("\"0/2000100\"", "\"0/2000101\"")]
    public void Tampering_with_the_content_breaks_the_checksum(string from, string to)
    {
        var manifest = PgBackupManifest.Parse(Replace(Sample(), from, to));

        Assert.False(manifest.ChecksumMatches);
        var ex = Assert.Throws<IntegrityException>(manifest.VerifyChecksum);
        Assert.Equal(IntegrityFailure.ChecksumMismatch, ex.Failure);
        Assert.Equal("backup_manifest", ex.File);
        Assert.Contains(manifest.ManifestChecksum, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tampering_with_the_stored_checksum_is_detected()
    {
        var bytes = Sample();
        var text = Encoding.UTF8.GetString(bytes);
        var at = text.IndexOf("\"Manifest-Checksum\": \"", StringComparison.Ordinal) + 22;
        bytes[at] = (byte)(bytes[at] == (byte)'0' ? '1' : '0');

        Assert.False(PgBackupManifest.Parse(bytes).ChecksumMatches);
    }

    [Fact]
    public void Manifest_without_a_final_newline_cannot_be_verified()
    {
        var bytes = Sample()[..^1];

        var manifest = PgBackupManifest.Parse(bytes);

        Assert.Null(manifest.ComputedChecksum);
        Assert.False(manifest.ChecksumMatches);
        Assert.Contains("newline", Assert.Throws<IntegrityException>(manifest.VerifyChecksum).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"PostgreSQL-Backup-Manifest-Version\": 1,", "{ \"PostgreSQL-Backup-Manifest-Version\": 1,,", "not valid JSON")]
    [InlineData("\"PostgreSQL-Backup-Manifest-Version\": 1,", "\"PostgreSQL-Backup-Manifest-Version\": 3,", "version 3")]
    [InlineData("\"PostgreSQL-Backup-Manifest-Version\": 1,", "\"PostgreSQL-Backup-Manifest-Version\": \"1\",", "PostgreSQL-Backup-Manifest-Version")]
    [InlineData("\"Files\": [", "\"Filez\": [", "Files")]
    [InlineData("\"Path\": \"PG_VERSION\"", "\"Path\": \"backup_label\"", "listed twice")]
    [InlineData("\"Path\": \"PG_VERSION\"", "\"Name\": \"PG_VERSION\"", "neither Path nor Encoded-Path")]
    [InlineData("\"Size\": 3,", "\"Size\": -3,", "'PG_VERSION' has no valid Size")]
    [InlineData("\"Size\": 3,", "\"Size\": \"3\",", "'PG_VERSION' has no valid Size")]
    [InlineData("\"Checksum\": \"8a744722\"", "\"Checksum\": 1", "'PG_VERSION' has no Checksum")]
    [InlineData("\"626173652f312f6e616d65\"", "\"zz\"", "not hex")]
    [InlineData("\"Start-LSN\": \"0/2000028\"", "\"Start-LSN\": \"2000028\"", "Start-LSN '2000028'")]
    [InlineData("\"Timeline\": 1,", "\"Timeline\": 0,", "timeline 0")]
    [InlineData("\"Manifest-Checksum\"", "\"Manifest-Checksum-X\"", "Manifest-Checksum")]
    public void Malformed_manifests_are_invalid_data(string from, string to, string expected)
    {
        var ex = Assert.Throws<PgBackupException>(() => PgBackupManifest.Parse(Replace(Sample(), from, to)));

        Assert.Equal("BackupManifestInvalid", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_top_level_array_is_invalid_data()
    {
        var ex = Assert.Throws<PgBackupException>(() => PgBackupManifest.Parse("[]\n"u8));
        Assert.Equal("BackupManifestInvalid", ex.ErrorId);
    }
}
