using System.Text;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using Xunit;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>The scanner against small hand-built archives whose every byte is known.</summary>
public class CustomArchiveScannerSyntheticTests
{
    private const string CopyEnd = "\\.\n\n\n";

    private static readonly byte[] BigLargeObject = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

    private static ArchiveScannerArchiveBuilder Sample(byte minor = 14, int intSize = 4) =>
        new ArchiveScannerArchiveBuilder { Minor = minor, IntSize = intSize }
            .AddTable(10, 20, "public", "people")
            .AddTable(11, 21, "sales", "empty")
            .AddTable(12, 22, "sales", "Quoted \"Name\" ü")
            .AddEntry(13, "INDEX", "public", "people_idx", section: 4, dependencies: 10)
            .AddEntry(30, "BLOB", null, "16400")
            .AddEntry(31, "BLOB", null, "16401")
            .AddEntry(32, "BLOBS", null, "BLOBS", hasData: true, section: 3)
            // One row per chunk then the end-of-data marker, as pg_dump writes it; also several rows in one chunk,
            // escaped newlines, an empty table with only the marker, and data without the marker.
            .AddDataBlock(20, "1\tann\n", "2\ta\\nb\\\\c\n", "3\t\\N\n4\tx\n", CopyEnd)
            .AddDataBlock(21, CopyEnd)
            .AddDataBlock(22, "1\n")
            .AddBlobsBlock(32, (16400, BigLargeObject), (16401, []));

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void CountsRowsAndLargeObjects(int intSize)
    {
        var archive = Sample(intSize: intSize).Build();

        var result = ArchiveScannerFeeder.ScanWhole(archive);

        Assert.Equal(new Version(1, 14, 0), result.ArchiveVersion);
        Assert.Equal("testdb", result.DatabaseName);
        Assert.Equal("15.99", result.ServerVersion);
        Assert.Equal("15.98", result.DumpVersion);
        Assert.Equal("UTF8", result.Encoding);
        Assert.Equal(archive.Length, result.BytesObserved);
        Assert.Equal(
            [
                new CustomArchiveScannerTableData(20, "public", "people", 4, 30),
                new CustomArchiveScannerTableData(21, "sales", "empty", 0, 5),
                new CustomArchiveScannerTableData(22, "sales", "Quoted \"Name\" ü", 1, 2),
            ],
            result.Tables);
        Assert.Equal(2, result.LargeObjectCount);
        Assert.Equal(BigLargeObject.Length, result.LargeObjectBytes);
    }

    [Fact]
    public void ReadsTheTableOfContents()
    {
        var result = ArchiveScannerFeeder.ScanWhole(Sample(minor: 16).Build());

        Assert.Equal(11, result.TocEntries.Count);
        Assert.Equal("ENCODING", result.TocEntries[0].Desc);
        var index = Assert.Single(result.TocEntries, e => e.Desc == "INDEX");
        Assert.Equal(("public", "people_idx", 13, CustomArchiveScannerSection.PostData), (index.Namespace, index.Tag, index.DumpId, index.Section));
        Assert.Equal([10], index.Dependencies);
        Assert.Equal("owner", index.Owner);
        Assert.False(index.HasData);
        var table = Assert.Single(result.TocEntries, e => e.Desc == "TABLE" && e.Tag == "people");
        Assert.Equal(('r', "heap", 1259u, 16385u), (table.RelKind, table.TableAccessMethod, table.CatalogTableOid, table.CatalogOid));
        Assert.Equal(2, result.TocEntries.Count(e => e.Desc == "BLOB"));
        Assert.True(Assert.Single(result.TocEntries, e => e.Desc == "BLOBS").HasData);
        Assert.All(result.TocEntries.Where(e => e.Desc == "TABLE DATA"), e => Assert.True(e.HasData));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    public void UnderstandsEveryLayoutFrom_1_12_To_1_16(byte minor)
    {
        var result = ArchiveScannerFeeder.ScanByteByByte(Sample(minor).Build());

        Assert.Equal(new Version(1, minor, 0), result.ArchiveVersion);
        Assert.Equal([4L, 0L, 1L], result.Tables.Select(t => t.Rows));
        var table = Assert.Single(result.TocEntries, e => e.Desc == "TABLE" && e.Tag == "people");
        Assert.Equal(minor >= 14 ? "heap" : null, table.TableAccessMethod);
        Assert.Equal(minor >= 16 ? 'r' : null, table.RelKind);
    }

    [Fact]
    public void GivesTheSameAnswerWhateverThePieceSizes()
    {
        var archive = Sample().Build();
        var expected = ArchiveScannerFeeder.ScanWhole(archive);

        for (var seed = 0; seed < 200; seed++)
        {
            var result = ArchiveScannerFeeder.ScanRandomPieces(archive, seed, maxPiece: 40);
            Assert.Equal(expected.Tables, result.Tables);
            Assert.Equal(expected.TocEntries.Select(e => (e.DumpId, e.Desc, e.Tag)), result.TocEntries.Select(e => (e.DumpId, e.Desc, e.Tag)));
            Assert.Equal((expected.LargeObjectCount, expected.LargeObjectBytes), (result.LargeObjectCount, result.LargeObjectBytes));
        }
    }

    [Fact]
    public void RejectsTheStreamCutAtAnyPoint()
    {
        var archive = Sample().Build();

        for (var length = 0; length < archive.Length; length++)
        {
            var scanner = new CustomArchiveScanner();
            scanner.Observe(archive.AsSpan(0, length));
            var error = Assert.Throws<PgBackupException>(() => scanner.Complete());
            Assert.Equal("DumpStreamMalformed", error.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, error.Kind);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0, CopyEnd)]
    [InlineData(2, "\n", "\n", CopyEnd)] // two rows of one empty string each
    [InlineData(2, "\n\n")]
    [InlineData(1, "\\\\.\n", CopyEnd)] // a row holding a backslash and a dot
    [InlineData(3, "\\\\.\n\n\n")]
    [InlineData(1, "x\n\\.\n")]
    [InlineData(1, "a long row that does not fit into the scanner's tail buffer at all\n\\.\n\n\n")]
    [InlineData(2, "1\n2\n\\", ".\n", "\n\n")]
    public void TellsTheEndOfDataMarkerFromRows(long rows, params string[] chunks)
    {
        var archive = new ArchiveScannerArchiveBuilder().AddTable(10, 20, "public", "t").AddDataBlock(20, chunks).Build();

        Assert.Equal(rows, ArchiveScannerFeeder.ScanWhole(archive).Tables.Single().Rows);
        Assert.Equal(rows, ArchiveScannerFeeder.ScanByteByByte(archive).Tables.Single().Rows);
    }

    [Fact]
    public void CountsRandomTablesHoweverTheyAreChunkedAndFed()
    {
        // Rows chosen to trip the marker logic and the chunk-length bytes (a 10-byte chunk has the length byte '\n').
        string[] rowChoices = ["\n", "\\\\.\n", "x\n", "123456789\n", "a\\nb\tc\n", new string('w', 40) + "\n", "\\N\n"];
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var rows = Enumerable.Range(0, random.Next(0, 60)).Select(_ => rowChoices[random.Next(rowChoices.Length)]).ToList();
            var text = string.Concat(rows) + (random.Next(3) == 0 ? "" : CopyEnd);
            var chunks = new List<string>();
            for (var at = 0; at < text.Length;)
            {
                var size = random.Next(2) == 0 ? Math.Max(1, text.IndexOf('\n', at) + 1 - at) : random.Next(1, 30);
                size = Math.Min(size, text.Length - at);
                chunks.Add(text.Substring(at, size));
                at += size;
            }

            var archive = new ArchiveScannerArchiveBuilder { IntSize = seed % 5 == 0 ? 8 : 4 }
                .AddTable(10, 20, "public", "t").AddDataBlock(20, [.. chunks]).Build();

            Assert.Equal(rows.Count, ArchiveScannerFeeder.ScanWhole(archive).Tables.Single().Rows);
            Assert.Equal(rows.Count, ArchiveScannerFeeder.ScanRandomPieces(archive, seed, maxPiece: 64).Tables.Single().Rows);
        }
    }

    [Fact]
    public void ReportsWhichDataNeverArrived()
    {
        var archive = new ArchiveScannerArchiveBuilder()
            .AddTable(10, 20, "public", "people")
            .AddTable(11, 21, "public", "orders")
            .AddDataBlock(20, "1\n")
            .Build();

        var error = Assert.Throws<PgBackupException>(() => ArchiveScannerFeeder.ScanWhole(archive));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
        Assert.Contains("\"public\".\"orders\"", error.Message);
    }

    [Fact]
    public void AcceptsADumpWithoutData()
    {
        var archive = new ArchiveScannerArchiveBuilder().AddEntry(10, "TABLE", "public", "t").Build();

        var result = ArchiveScannerFeeder.ScanByteByByte(archive);

        Assert.Empty(result.Tables);
        Assert.Equal(2, result.TocEntries.Count);
    }

    [Theory]
    [InlineData(1, 17)]
    [InlineData(2, 0)]
    public void RefusesNewerArchiveVersionsByName(byte major, byte minor)
    {
        var archive = new ArchiveScannerArchiveBuilder { Major = major, Minor = minor }.Build();
        var scanner = new CustomArchiveScanner();

        var error = Assert.Throws<PgBackupException>(() => scanner.Observe(archive));

        Assert.Equal("DumpFormatUnsupported", error.ErrorId);
        Assert.Contains($"{major}.{minor}", error.Message);
    }

    [Theory]
    [InlineData(11, 0)]
    [InlineData(14, -1)]
    [InlineData(14, 6)]
    [InlineData(15, 1)]
    [InlineData(16, 3)]
    public void RefusesOlderVersionsAndCompressedData(byte minor, int compression)
    {
        var archive = new ArchiveScannerArchiveBuilder { Minor = minor, Compression = compression }.Build();

        var error = Assert.Throws<PgBackupException>(() => ArchiveScannerFeeder.ScanWhole(archive));

        Assert.Equal("DumpFormatUnsupported", error.ErrorId);
    }

    [Fact]
    public void RefusesTableDataThatIsNotCopy()
    {
        var archive = new ArchiveScannerArchiveBuilder()
            .AddEntry(20, "TABLE DATA", "public", "t", hasData: true, copyStatement: null, section: 3)
            .AddDataBlock(20, "INSERT INTO public.t VALUES (1);\n")
            .Build();

        var error = Assert.Throws<PgBackupException>(() => ArchiveScannerFeeder.ScanWhole(archive));

        Assert.Equal("DumpFormatUnsupported", error.ErrorId);
        Assert.Contains("--inserts", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--\n-- PostgreSQL database dump\n--\n")]
    [InlineData("PGDM")]
    [InlineData("PGDMX\u0001\u000e\u0000")]
    public void RefusesStreamsThatAreNotArchives(string text)
    {
        var error = Assert.Throws<PgBackupException>(() => ArchiveScannerFeeder.ScanWhole(Encoding.UTF8.GetBytes(text)));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
    }

    [Fact]
    public void RefusesPlainSqlOnTheFirstByte()
    {
        var scanner = new CustomArchiveScanner();

        var error = Assert.Throws<PgBackupException>(() => scanner.Observe("-"u8));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
    }

    [Theory]
    [InlineData(3)] // tar
    [InlineData(5)] // directory format's toc.dat
    public void RefusesOtherArchiveFormats(byte format)
    {
        var archive = new ArchiveScannerArchiveBuilder { Format = format }.Build();

        var error = Assert.Throws<PgBackupException>(() => ArchiveScannerFeeder.ScanWhole(archive));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
    }

    [Fact]
    public void RefusesDataForAnEntryTheTocDoesNotList()
    {
        var archive = new ArchiveScannerArchiveBuilder().AddTable(10, 20, "public", "t").AddDataBlock(99, "1\n").Build();

        var error = Assert.Throws<PgBackupException>(() => ArchiveScannerFeeder.ScanWhole(archive));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
        Assert.Contains("99", error.Message);
    }

    [Fact]
    public void RefusesCopyDataWithAnUnterminatedRow()
    {
        var archive = new ArchiveScannerArchiveBuilder().AddTable(10, 20, "public", "t").AddDataBlock(20, "1\n2").Build();

        var error = Assert.Throws<PgBackupException>(() => ArchiveScannerFeeder.ScanWhole(archive));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
    }

    [Fact]
    public void RefusesAnUnknownBlockType()
    {
        var archive = new ArchiveScannerArchiveBuilder().AddTable(10, 20, "public", "t").Build().Append((byte)7).ToArray();

        var error = Assert.Throws<PgBackupException>(() => ArchiveScannerFeeder.ScanWhole(archive));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
    }

    [Fact]
    public void StaysFailedAfterAnError()
    {
        var scanner = new CustomArchiveScanner();
        Assert.Throws<PgBackupException>(() => scanner.Observe("x"u8));

        var again = Assert.Throws<PgBackupException>(() => scanner.Observe(Sample().Build()));
        var atEnd = Assert.Throws<PgBackupException>(() => scanner.Complete());

        Assert.Equal("DumpStreamMalformed", again.ErrorId);
        Assert.Equal("DumpStreamMalformed", atEnd.ErrorId);
    }

    [Fact]
    public void CannotBeReusedAfterComplete()
    {
        var scanner = new CustomArchiveScanner();
        scanner.Observe(Sample().Build());
        scanner.Complete();

        Assert.Throws<InvalidOperationException>(() => scanner.Observe("x"u8));
    }

    [Theory]
    [InlineData("UTF8", 65001)]
    [InlineData("SQL_ASCII", 65001)]
    [InlineData("LATIN1", 28591)]
    [InlineData("WIN1251", 1251)]
    [InlineData("KOI8R", 20866)]
    [InlineData("MULE_INTERNAL", 65001)]
    public void MapsDatabaseEncodings(string name, int codePage) =>
        Assert.Equal(codePage, CustomArchiveScannerEncodings.ForPostgresName(name).CodePage);
}
