using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using Xunit;

namespace PgBackupTools.Tests.Physical;

public sealed class TarExtractorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pgbt-extract-" + Guid.NewGuid().ToString("N")[..8]);

    private string Target => Path.Combine(_root, "target");

    public TarExtractorTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private TarExtractor Extract(byte[] tar, TarExtractorOptions? options = null, int seed = 1)
    {
        using var extractor = new TarExtractor(Target, options);
        var parser = new TarStreamParser(extractor);
        TarFeeder.FeedRandomPieces(parser, tar, seed, 5000);
        parser.Complete();
        return extractor;
    }

    [Fact]
    public void Round_trip_writes_every_file_and_folder_privately()
    {
        var archive = new BaseBackupTestArchive();
        var tar = archive.Build();
        var created = new List<string>();

        var extractor = Extract(tar, new TarExtractorOptions { Manifest = PgBackupManifest.Parse(archive.Manifest()), PathCreated = created.Add });

        Assert.True(extractor.IsComplete);
        Assert.Equal(7, extractor.FileCount);
        foreach (var (path, content) in archive.Files)
        {
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(Target, path)));
        }

        Assert.Equal(archive.Manifest(), File.ReadAllBytes(Path.Combine(Target, "backup_manifest")));
        Assert.True(Directory.Exists(Path.Combine(Target, "pg_wal", "archive_status")));
        Assert.True(Directory.Exists(Path.Combine(Target, "pg_tblspc")));
        Assert.Equal(TarTestWriter.DefaultTime.UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(Target, "PG_VERSION")));

        var expectedCreated = new[] { Target }
            .Concat(archive.Files.Select(f => f.Path).Append("backup_manifest"))
            .Concat(["base", "base/1", "global", "pg_wal", "pg_wal/archive_status", "pg_tblspc"])
            .Select(p => p == Target ? p : Path.Combine(Target, p.Replace('/', Path.DirectorySeparatorChar)))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expectedCreated, created.Order(StringComparer.Ordinal));

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(Target, "base", "1")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Target, "base", "1", "1259")));
        }
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("base/../../evil")]
    [InlineData("./../evil")]
    [InlineData("/tmp/evil")]
    [InlineData("base\\..\\..\\evil")]
    [InlineData("C:/evil")]
    public void Paths_that_could_leave_the_target_are_refused(string name)
    {
        var tar = new TarTestWriter().File("PG_VERSION", "15\n").File(name, "evil").End().ToArray();

        var ex = Assert.Throws<PgBackupException>(() => Extract(tar));

        Assert.Equal("TarEntryPathUnsafe", ex.ErrorId);
        Assert.Equal(name, ex.Target);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "evil")));
        Assert.Equal(["PG_VERSION"], Directory.EnumerateFileSystemEntries(Target).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData('2', "symbolic link")]
    [InlineData('1', "tar type '1'")]
    [InlineData('3', "tar type '3'")]
    public void Links_and_special_files_are_refused(char type, string message)
    {
        var tar = new TarTestWriter().Header("pg_tblspc/16384", type, 0, 0x1FF, "/srv/ts").End().ToArray();

        var ex = Assert.Throws<PgBackupException>(() => Extract(tar));

        Assert.Equal("TarEntryTypeNotSupported", ex.ErrorId);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(Target, "pg_tblspc", "16384")));
    }

    [Theory]
    [InlineData("PG_VERSION", "PG_VERSION")]
    [InlineData("PG_VERSION", "./PG_VERSION")]
    [InlineData("base/", "base")]
    public void Duplicate_entries_are_refused(string first, string second)
    {
        var tar = new TarTestWriter().File(first, "1").File(second, "2").End().ToArray();

        Assert.Equal("TarEntryDuplicate", Assert.Throws<PgBackupException>(() => Extract(tar)).ErrorId);
    }

    [Fact]
    public void Crc_mismatch_against_the_manifest_names_the_file()
    {
        var archive = new BaseBackupTestArchive
        {
            TarContent = (path, content) => path == "global/pg_control" ? content.Select(b => (byte)~b).ToArray() : content,
        };

        var ex = Assert.Throws<IntegrityException>(() =>
            Extract(archive.Build(), new TarExtractorOptions { Manifest = PgBackupManifest.Parse(archive.Manifest()) }));

        Assert.Equal(IntegrityFailure.ChecksumMismatch, ex.Failure);
        Assert.Equal("global/pg_control", ex.File);
        Assert.Contains("'global/pg_control'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crc_mismatch_against_a_callback_names_the_file()
    {
        var tar = new TarTestWriter().File("a", "123456789").File("b", "123456789").End().ToArray();
        var asked = new List<string>();

        var ex = Assert.Throws<IntegrityException>(() => Extract(tar, new TarExtractorOptions
        {
            ExpectedCrc32C = path =>
            {
                asked.Add(path);
                return path == "a" ? 0xE3069283u : 0x12345678u;
            },
        }));

        Assert.Equal(["a", "b"], asked);
        Assert.Equal("b", ex.File);
        Assert.Contains("e3069283", ex.Message, StringComparison.Ordinal);
        Assert.Contains("12345678", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_empty_target_is_refused()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "left-over"), "x");

        var ex = Assert.Throws<PgBackupException>(() => new TarExtractor(Target));

        Assert.Equal("RestoreTargetNotEmpty", ex.ErrorId);
        Assert.Equal(ErrorKind.ResourceExists, ex.Kind);
    }

    [Fact]
    public void Existing_empty_target_is_used()
    {
        Directory.CreateDirectory(Target);
        var created = new List<string>();

        Extract(new TarTestWriter().File("x/y", "z").End().ToArray(), new TarExtractorOptions { PathCreated = created.Add });

        Assert.Equal("z", File.ReadAllText(Path.Combine(Target, "x", "y")));
        Assert.Equal([Path.Combine(Target, "x"), Path.Combine(Target, "x", "y")], created);
    }

    [Fact]
    public void File_where_a_folder_is_needed_is_a_write_error()
    {
        var tar = new TarTestWriter().File("base", "file").File("base/1/1259", "data").End().ToArray();

        var ex = Assert.Throws<PgBackupException>(() => Extract(tar));

        Assert.Equal("ExtractWriteFailed", ex.ErrorId);
        Assert.Equal(ErrorKind.WriteError, ex.Kind);
    }
}
