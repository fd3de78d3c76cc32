using System.Diagnostics;
using System.Globalization;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Tests.Infrastructure;
using Xunit;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>
/// The filter that gives each parallel pg_restore only its own data blocks, against real pg_dump -Fc -Z0 output, and
/// the filtered streams fed to a real pg_restore reading a pipe.
/// </summary>
[Collection(PostgresCollection.Name)]
public class CustomArchiveBlockFilterTests(PostgresServerFixture server) : IAsyncLifetime
{
    private string _database = "";
    private byte[] _archive = [];
    private CustomArchiveScannerResult _scan = null!;

    public async Task InitializeAsync()
    {
        (_database, _archive) = await ArchiveScannerSharedDump.GetAsync(server);
        _scan = ArchiveScannerFeeder.ScanWhole(_archive);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void PassesEveryByteWhenEveryBlockIsWanted()
    {
        var all = _scan.TocEntries.Select(e => e.DumpId).ToHashSet();

        foreach (var pieces in PieceSizes())
        {
            var (output, complete) = Filter(all, pieces);
            Assert.Equal(_archive, output);
            Assert.True(complete);
        }
    }

    [Fact]
    public async Task PassesOnlyTheHeaderAndTableOfContentsWhenNoBlockIsWanted()
    {
        var (output, complete) = Filter(new HashSet<int>(), _ => _archive.Length);

        Assert.True(complete);
        Assert.Equal(_archive.AsSpan(0, output.Length).ToArray(), output);
        Assert.True(output.Length < _archive.Length - _scan.Tables.Sum(t => t.Bytes) - _scan.LargeObjectBytes);
        var (code, fullList, _) = await RunPgRestoreAsync(["--list"], _archive);
        Assert.Equal(0, code);
        var (filteredCode, filteredList, filteredErrors) = await RunPgRestoreAsync(["--list"], output);
        Assert.True(filteredCode == 0, filteredErrors);
        Assert.Equal(WithoutHeaderComments(fullList), WithoutHeaderComments(filteredList));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IsCompleteRightAfterTheLastWantedBlockAndPassesNothingAfterIt(bool wantFirstBlock)
    {
        // The first data block is followed by at least one of the two large ones (a 2 MB table, 2.4 MB of large objects).
        var first = _scan.TocEntries.First(e => e.HasData).DumpId;
        var filter = new CustomArchiveBlockFilter(wantFirstBlock ? new HashSet<int> { first } : new HashSet<int>());
        var pieces = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (!filter.IsComplete && offset < _archive.Length)
        {
            var size = Math.Min(4096, _archive.Length - offset);
            filter.Process(_archive.AsMemory(offset, size), pieces);
            offset += size;
        }

        Assert.True(filter.IsComplete);
        Assert.True(_archive.Length - offset > 1024 * 1024, $"completed at {offset} of {_archive.Length} bytes");
        var passedOn = pieces.Count;
        filter.Process(_archive.AsMemory(offset), pieces);
        Assert.Equal(passedOn, pieces.Count);
    }

    [Fact]
    public void GivesTheSameOutputHoweverTheStreamIsCut()
    {
        var wanted = new HashSet<int> { DataOf("plain"), BlobsId(), DataOf("tricky") };
        var (whole, _) = Filter(wanted, _ => _archive.Length);

        foreach (var pieces in PieceSizes())
        {
            var (output, complete) = Filter(wanted, pieces);
            Assert.Equal(whole, output);
            Assert.True(complete);
        }

        Assert.True(whole.Length < _archive.Length);
    }

    [Fact]
    public async Task PgRestoreReadingThePipeRestoresExactlyTheWantedTables()
    {
        var target = await server.CreateDatabaseAsync("block_filter");
        var (preCode, _, preErrors) = await RunPgRestoreAsync(["--section=pre-data", "--dbname=" + target], _archive);
        Assert.True(preCode == 0, preErrors);
        var wanted = new[] { DataOf("plain"), BlobsId(), DataOf("tricky") };
        var listFile = await WriteListAsync(wanted);

        var (filtered, _) = Filter(wanted.ToHashSet(), _ => 64 * 1024);
        var (code, _, errors) = await RunPgRestoreAsync(["--use-list=" + listFile, "--dbname=" + target, "--exit-on-error"], filtered);

        Assert.True(code == 0, errors);
        Assert.Equal(20000, await server.ScalarAsync<long>(target, "SELECT count(*) FROM plain"));
        Assert.Equal(await server.ScalarAsync<long>(_database, "SELECT count(*) FROM tricky"), await server.ScalarAsync<long>(target, "SELECT count(*) FROM tricky"));
        Assert.Equal(
            await server.ScalarAsync<string>(_database, "SELECT md5(string_agg(t || coalesce(encode(b, 'hex'), '') || coalesce(j::text, ''), '|' ORDER BY t)) FROM tricky"),
            await server.ScalarAsync<string>(target, "SELECT md5(string_agg(t || coalesce(encode(b, 'hex'), '') || coalesce(j::text, ''), '|' ORDER BY t)) FROM tricky"));
        Assert.Equal(3, await server.ScalarAsync<long>(target, "SELECT count(*) FROM pg_largeobject_metadata"));
        Assert.Equal(
            await server.ScalarAsync<long>(_database, "SELECT sum(length(lo_get(oid)))::bigint FROM pg_largeobject_metadata"),
            await server.ScalarAsync<long>(target, "SELECT sum(length(lo_get(oid)))::bigint FROM pg_largeobject_metadata"));
        Assert.Equal(0, await server.ScalarAsync<long>(target, "SELECT count(*) FROM measurements"));
        Assert.Equal(0, await server.ScalarAsync<long>(target, "SELECT count(*) FROM unlogged_table"));
    }

    [Fact]
    public async Task PgRestoreFailsWhenItsListAsksForABlockTheFilterLeftOut()
    {
        var target = await server.CreateDatabaseAsync("block_filter_missing");
        var (preCode, _, preErrors) = await RunPgRestoreAsync(["--section=pre-data", "--dbname=" + target], _archive);
        Assert.True(preCode == 0, preErrors);
        var listFile = await WriteListAsync([DataOf("plain"), DataOf("unlogged_table")]);

        var (filtered, _) = Filter(new HashSet<int> { DataOf("plain") }, _ => _archive.Length);
        var (code, _, errors) = await RunPgRestoreAsync(["--use-list=" + listFile, "--dbname=" + target, "--exit-on-error"], filtered);

        Assert.NotEqual(0, code);
        Assert.Contains("could not find block ID", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsADataBlockTheTableOfContentsDoesNotAnnounce()
    {
        var (prefix, _) = Filter(new HashSet<int>(), _ => _archive.Length);
        byte[] bogusBlock = [1, 0, 0xFF, 0xFF, 0x7F, 0x00];
        var filter = new CustomArchiveBlockFilter(new HashSet<int> { DataOf("plain") });

        var error = Assert.Throws<PgBackupException>(() => filter.Process((byte[])[.. prefix, .. bogusBlock], new List<ReadOnlyMemory<byte>>()));

        Assert.Equal("DumpStreamMalformed", error.ErrorId);
    }

    private IEnumerable<Func<int, int>> PieceSizes()
    {
        yield return _ => _archive.Length;
        yield return _ => 1;
        var random = new Random(7);
        yield return _ => random.Next(4) == 0 ? random.Next(1, 6) : random.Next(1, 200_000);
    }

    private (byte[] Output, bool Complete) Filter(IReadOnlySet<int> wanted, Func<int, int> nextPieceSize)
    {
        var filter = new CustomArchiveBlockFilter(wanted);
        using var output = new MemoryStream();
        var pieces = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset < _archive.Length)
        {
            var size = Math.Min(Math.Max(1, nextPieceSize(offset)), _archive.Length - offset);
            pieces.Clear();
            filter.Process(_archive.AsMemory(offset, size), pieces);
            foreach (var piece in pieces)
                output.Write(piece.Span);
            offset += size;
        }

        return (output.ToArray(), filter.IsComplete);
    }

    private int DataOf(string table) => _scan.TocEntries.Single(e => e.Desc == "TABLE DATA" && e.Tag == table).DumpId;

    private int BlobsId() => _scan.TocEntries.Single(e => e.Desc == "BLOBS").DumpId;

    /// <summary>
    /// A pg_restore -L list in archive order, as a pipe needs; pg_restore reads only the dump id before each ';'.
    /// </summary>
    private async Task<string> WriteListAsync(IEnumerable<int> dumpIds)
    {
        var order = _scan.TocEntries.Select((e, i) => (e.DumpId, i)).ToDictionary(p => p.DumpId, p => p.i);
        var path = Path.Combine(Path.GetTempPath(), $"pgbt-filter-{Guid.NewGuid():N}.list");
        await File.WriteAllLinesAsync(path, dumpIds.OrderBy(id => order[id]).Select(id => id.ToString(CultureInfo.InvariantCulture) + "; 0 0 ENTRY"));
        return path;
    }

    private static IEnumerable<string> WithoutHeaderComments(string listing) =>
        listing.Split('\n').Where(l => !l.StartsWith(';'));

    private async Task<(int ExitCode, string Output, string Errors)> RunPgRestoreAsync(IReadOnlyList<string> arguments, byte[] input)
    {
        var startInfo = new ProcessStartInfo(await ArchiveScannerPgDump.FindToolAsync(server, PgToolNames.PgRestore))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--host", server.Host, "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--username", server.Username, "--no-password", .. arguments])
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["PGPASSWORD"] = server.Password;

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("pg_restore did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input, timeout.Token);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // pg_restore stopped reading (it had what it needed, or failed): its exit code says which.
        }

        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
