using System.Text;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Wal;
using Xunit;

namespace PgBackupTools.Tests.Physical;

public sealed class BaseBackupScannerTests
{
    internal static BaseBackupScanResult Scan(byte[] tar, int seed = 1, int maxPiece = 3000, int maxManifestBytes = BaseBackupScanner.DefaultMaxManifestBytes)
    {
        var scanner = new BaseBackupScanner(maxManifestBytes);
        var parser = new TarStreamParser(scanner);
        TarFeeder.FeedRandomPieces(parser, tar, seed, maxPiece);
        parser.Complete();
        return scanner.Complete();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 700)]
    [InlineData(3, 1 << 20)]
    public void Consistent_backup_has_no_problems(int seed, int maxPiece)
    {
        var archive = new BaseBackupTestArchive();

        var result = Scan(archive.Build(), seed, maxPiece);

        Assert.Empty(result.Problems);
        Assert.True(result.IsConsistent);
        Assert.Equal(Lsn.Parse("0/2000028"), result.Label.StartLsn);
        Assert.Equal(string.Empty, result.TablespaceMap);
        Assert.Equal(archive.Manifest(), result.ManifestBytes);
        Assert.Equal(6, result.Manifest.Files.Count);
        Assert.Equal(7, result.FileCount);
        Assert.Equal(6, result.VerifiedChecksumCount);
        Assert.Equal(archive.Files.Sum(f => (long)f.Content.Length) + archive.Manifest().Length, result.TotalBytes);
    }

    [Fact]
    public void Flipped_byte_in_a_data_file_is_a_crc_mismatch_naming_the_file()
    {
        var archive = new BaseBackupTestArchive
        {
            TarContent = (path, content) =>
            {
                if (path != "base/1/1259")
                {
                    return content;
                }

                var copy = (byte[])content.Clone();
                copy[5000] ^= 0x20;
                return copy;
            },
        };

        var problem = Assert.Single(Scan(archive.Build()).Problems);

        Assert.StartsWith("'base/1/1259' has CRC32C ", problem, StringComparison.Ordinal);
        Assert.Contains("backup_manifest says", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_extra_and_resized_files_are_problems_but_unlisted_wal_is_not()
    {
        var archive = new BaseBackupTestArchive();
        archive.Unlisted.Add(("pg_wal/000000010000000000000002", BaseBackupTestArchive.Bytes(100, 4)));
        archive.Unlisted.Add(("base/1/16384", BaseBackupTestArchive.Bytes(100, 5)));
        var manifest = archive.Manifest();
        archive.Files.RemoveAt(archive.Files.FindIndex(f => f.Path == "global/pg_control"));
        archive.Files[archive.Files.FindIndex(f => f.Path == "PG_VERSION")] = ("PG_VERSION", "15\n\n"u8.ToArray());
        archive.ManifestContent = _ => manifest;

        var problems = Scan(archive.Build()).Problems;

        Assert.Equal(3, problems.Count);
        Assert.Contains("'global/pg_control' is listed in backup_manifest but is not in the tar stream.", problems);
        Assert.Contains("'PG_VERSION' has 4 bytes in the tar stream, but backup_manifest says 3.", problems);
        Assert.Contains("'base/1/16384' is in the tar stream but not listed in backup_manifest.", problems);
    }

    [Fact]
    public void Duplicate_file_is_a_problem()
    {
        var archive = new BaseBackupTestArchive();
        archive.Unlisted.Add(("PG_VERSION", "15\n"u8.ToArray()));

        Assert.Contains("'PG_VERSION' appears more than once in the tar stream.", Scan(archive.Build()).Problems);
    }

    [Fact]
    public void Tampered_manifest_fails_its_checksum()
    {
        var archive = new BaseBackupTestArchive
        {
            ManifestContent = m => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(m).Replace("\"Size\": 3,", "\"Size\": 4,", StringComparison.Ordinal)),
        };

        var ex = Assert.Throws<IntegrityException>(() => Scan(archive.Build()));

        Assert.Equal(IntegrityFailure.ChecksumMismatch, ex.Failure);
        Assert.Equal("backup_manifest", ex.File);
    }

    [Fact]
    public void Missing_manifest_or_label_is_an_error()
    {
        var noManifest = new BaseBackupTestArchive { IncludeManifest = false };
        Assert.Equal("BackupManifestMissing", Assert.Throws<PgBackupException>(() => Scan(noManifest.Build())).ErrorId);

        var noLabel = new BaseBackupTestArchive();
        noLabel.Files.RemoveAt(0);
        Assert.Equal("BackupLabelMissing", Assert.Throws<PgBackupException>(() => Scan(noLabel.Build())).ErrorId);
    }

    [Fact]
    public void Label_start_outside_the_wal_ranges_is_a_problem()
    {
        var archive = new BaseBackupTestArchive();
        archive.Files[0] = ("backup_label", Encoding.UTF8.GetBytes(BackupLabelTests.Pg15Label.Replace("0/2000028", "0/3000028", StringComparison.Ordinal)));

        Assert.Contains("backup_label starts at 0/3000028, but no WAL range in backup_manifest starts there.", Scan(archive.Build()).Problems);
    }

    [Fact]
    public void Tablespace_symlink_is_refused_as_it_arrives()
    {
        var tar = new TarTestWriter()
            .File("backup_label", BackupLabelTests.Pg15Label)
            .Symlink("pg_tblspc/16384", "/srv/tablespace")
            .End()
            .ToArray();
        var scanner = new BaseBackupScanner();
        var parser = new TarStreamParser(scanner);

        var ex = Assert.Throws<PgBackupException>(() => parser.Feed(tar));

        Assert.Equal("TablespacesNotSupported", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, ex.Kind);
        Assert.Contains("pg_tblspc/16384", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_empty_tablespace_map_is_refused()
    {
        var archive = new BaseBackupTestArchive();
        archive.Files[1] = ("tablespace_map", "16384 /srv/tablespace\n"u8.ToArray());

        var ex = Assert.Throws<PgBackupException>(() => Scan(archive.Build()));

        Assert.Equal("TablespacesNotSupported", ex.ErrorId);
        Assert.Contains("16384 /srv/tablespace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_manifest_is_refused()
    {
        var archive = new BaseBackupTestArchive();

        var ex = Assert.Throws<PgBackupException>(() => Scan(archive.Build(), maxManifestBytes: 1000));

        Assert.Equal("BaseBackupFileTooLarge", ex.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, ex.Kind);
    }

    [Fact]
    public void Stream_that_did_not_end_is_incomplete()
    {
        var tar = new BaseBackupTestArchive().Build();
        var scanner = new BaseBackupScanner();
        new TarStreamParser(scanner).Feed(tar.AsSpan(0, tar.Length - 1024));

        Assert.Equal("BaseBackupIncomplete", Assert.Throws<PgBackupException>(() => scanner.Complete()).ErrorId);
    }
}

public sealed class BaseBackupScannerSeparateManifestTests
{
    private static BaseBackupScanResult Scan(BaseBackupTestArchive archive, byte[]? separateManifest)
    {
        var scanner = new BaseBackupScanner();
        var parser = new TarStreamParser(scanner);
        parser.Feed(archive.Build());
        parser.Complete();
        return scanner.Complete(separateManifest);
    }

    [Fact]
    public void A_tar_without_backup_manifest_is_checked_against_the_one_sent_beside_it()
    {
        var archive = new BaseBackupTestArchive { IncludeManifest = false };

        var result = Scan(archive, archive.Manifest());

        Assert.True(result.IsConsistent, string.Join(" ", result.Problems));
        Assert.Equal(6, result.VerifiedChecksumCount);
        Assert.Equal(archive.Manifest(), result.ManifestBytes);
        Assert.Equal(6, result.FileCount);
    }

    [Fact]
    public void A_file_changed_in_the_tar_disagrees_with_the_separate_manifest()
    {
        var archive = new BaseBackupTestArchive
        {
            IncludeManifest = false,
            TarContent = (path, content) => path == "global/pg_control" ? [.. content.Take(100), (byte)(content[100] ^ 1), .. content.Skip(101)] : content,
        };

        var problem = Assert.Single(Scan(archive, archive.Manifest()).Problems);

        Assert.Contains("global/pg_control", problem, StringComparison.Ordinal);
        Assert.Contains("CRC32C", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tar_whose_own_backup_manifest_differs_from_the_separate_one_is_a_problem()
    {
        var archive = new BaseBackupTestArchive();
        var other = new BaseBackupTestArchive();
        other.Files[2] = ("PG_VERSION", "16\n"u8.ToArray());

        var result = Scan(archive, other.Manifest());

        Assert.Contains(result.Problems, p => p.Contains("differs from the one stored beside it", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_manifest_inside_and_beside_is_consistent()
    {
        var archive = new BaseBackupTestArchive();

        Assert.True(Scan(archive, archive.Manifest()).IsConsistent);
    }

    [Fact]
    public void Neither_inside_nor_beside_is_BackupManifestMissing()
    {
        var archive = new BaseBackupTestArchive { IncludeManifest = false };

        Assert.Equal("BackupManifestMissing", Assert.Throws<PgBackupException>(() => Scan(archive, null)).ErrorId);
    }
}
