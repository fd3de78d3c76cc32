using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Tests.Infrastructure;
using Xunit;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>The scanner against real pg_dump -Fc -Z0 output, checked against count(*) on the live database.</summary>
[Collection(PostgresCollection.Name)]
public class CustomArchiveScannerPostgresTests(PostgresServerFixture server) : IAsyncLifetime
{
    private string _database = "";
    private byte[] _archive = [];

    public async Task InitializeAsync()
    {
        (_database, _archive) = await ArchiveScannerSharedDump.GetAsync(server);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task CountsEveryTablesRowsExactly(int seed)
    {
        var expected = await ArchiveScannerTestDatabase.CountRowsAsync(server, _database);

        var result = ArchiveScannerFeeder.ScanRandomPieces(_archive, seed, maxPiece: 256 * 1024);

        Assert.Equal(
            expected.OrderBy(p => p.Key.Schema, StringComparer.Ordinal).ThenBy(p => p.Key.Table, StringComparer.Ordinal),
            result.Tables.Select(t => KeyValuePair.Create((t.Schema!, t.Table), t.Rows))
                .OrderBy(p => p.Key.Item1, StringComparer.Ordinal).ThenBy(p => p.Key.Item2, StringComparer.Ordinal));
        Assert.Equal(20000, expected[("public", "plain")]);
        Assert.Equal(4, expected[("public", "new\nline")]);
    }

    [Fact]
    public async Task CountsTheSameFedOneByteAtATimeAndWhole()
    {
        var whole = ArchiveScannerFeeder.ScanWhole(_archive);
        var byteByByte = ArchiveScannerFeeder.ScanByteByByte(_archive);

        Assert.Equal(whole.Tables, byteByByte.Tables);
        Assert.Equal((whole.LargeObjectCount, whole.LargeObjectBytes), (byteByByte.LargeObjectCount, byteByByte.LargeObjectBytes));
        Assert.Equal(whole.TocEntries.Count, byteByByte.TocEntries.Count);
        Assert.Equal(_archive.Length, byteByByte.BytesObserved);
        Assert.Equal(await server.ScalarAsync<long>(_database, "SELECT count(*) FROM unlogged_table"), whole.Tables.Single(t => t.Table == "unlogged_table").Rows);
    }

    [Fact]
    public async Task FindsTheLargeObjects()
    {
        var count = await server.ScalarAsync<long>(_database, "SELECT count(*) FROM pg_largeobject_metadata");
        var bytes = await server.ScalarAsync<long>(_database, "SELECT sum(length(lo_get(oid)))::bigint FROM pg_largeobject_metadata");

        var result = ArchiveScannerFeeder.ScanWhole(_archive);

        Assert.Equal(3, count);
        Assert.Equal(count, result.LargeObjectCount);
        Assert.Equal(bytes, result.LargeObjectBytes);
        Assert.True(result.LargeObjectBytes > 1024 * 1024);
        if (result.ArchiveVersion < new Version(1, 16))
            Assert.Equal(count, result.TocEntries.Count(e => e.Desc == "BLOB"));
        else
            Assert.Contains(result.TocEntries, e => e.Desc == "BLOB METADATA");
        Assert.Contains(result.TocEntries, e => e.Desc == "BLOBS" && e.HasData);
    }

    [Fact]
    public void ListsTablesIndexesAndOtherObjects()
    {
        var result = ArchiveScannerFeeder.ScanWhole(_archive);

        Assert.Equal(_database, result.DatabaseName);
        Assert.StartsWith($"{server.ServerMajorVersion}.", result.ServerVersion);
        Assert.Equal("UTF8", result.Encoding);
        Assert.InRange(result.ArchiveVersion, new Version(1, 14), new Version(1, 16, 255));
        var tables = result.TocEntries.Where(e => e.Desc == "TABLE").Select(e => (e.Namespace, e.Tag)).ToHashSet();
        Assert.Superset(
            new HashSet<(string?, string)>
            {
                ("public", "plain"), ("public", "empty_table"), ("My Schema ü", "Quoted \"Name\" ü ☃"), ("public", "new\nline"),
                ("public", "measurements"), ("public", "measurements_low"), ("public", "base"), ("public", "child"),
                ("public", "unlogged_table"),
            },
            tables);
        Assert.Contains(result.TocEntries, e => e is { Desc: "INDEX", Namespace: "public", Tag: "plain_t_idx" });
        Assert.Contains(result.TocEntries, e => e is { Desc: "CONSTRAINT", Tag: "plain plain_pkey" });
        Assert.Contains(result.TocEntries, e => e is { Desc: "SEQUENCE SET", Tag: "counter" });
        Assert.Contains(result.TocEntries, e => e is { Desc: "MATERIALIZED VIEW DATA", Tag: "plain_summary", HasData: false });
        Assert.DoesNotContain(result.Tables, t => t.Table == "measurements");
        Assert.Equal(0, result.Tables.Single(t => t.Table == "empty_table").Rows);
        var data = result.TocEntries.Single(e => e is { Desc: "TABLE DATA", Tag: "plain" });
        var table = result.TocEntries.Single(e => e is { Desc: "TABLE", Tag: "plain" });
        Assert.Contains(table.DumpId, data.Dependencies);
        Assert.Equal(CustomArchiveScannerSection.Data, data.Section);
    }

    [Fact]
    public void RejectsTheDumpCutShort()
    {
        var random = new Random(7);
        var cuts = new[] { 0, 1, 5, 11, 40, 200, _archive.Length / 3, _archive.Length / 2, _archive.Length - 21, _archive.Length - 5, _archive.Length - 1 }
            .Concat(Enumerable.Range(0, 20).Select(_ => random.Next(_archive.Length)));

        foreach (var cut in cuts)
        {
            var error = Assert.Throws<PgBackupException>(() =>
                ArchiveScannerFeeder.ScanRandomPieces(_archive[..cut], seed: cut, maxPiece: 64 * 1024));
            Assert.Equal("DumpStreamMalformed", error.ErrorId);
        }
    }

    [Fact]
    public async Task RejectsAPlainSqlDump()
    {
        var plain = await ArchiveScannerPgDump.DumpAsync(server, _database, format: "plain");
        var scanner = new CustomArchiveScanner();

        var error = Assert.Throws<PgBackupException>(() => scanner.Observe(plain));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
    }
}
