using System.Diagnostics;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Retention;
using PgBackupTools.Tests.Repository;
using Xunit;
using Xunit.Abstractions;

namespace PgBackupTools.Tests.Retention;

/// <summary>Timings for the report; nothing is asserted about speed.</summary>
public class RetentionBenchmarkTests(ITestOutputHelper output)
{
    private const int Count = 10_000;

    [Fact]
    public void DecidesTenThousandBackups()
    {
        var history = Enumerable.Range(0, 10)
            .SelectMany(d => RetentionHistories.Daily(new DateOnly(2024, 1, 1), Count / 10).Select(c => c with { Id = c.Id + d, Database = "db" + d }))
            .ToList();
        var now = history.Max(h => h.StartTime).AddHours(1);
        RetentionPlanner.Decide(history.Take(100), new RetentionPolicy(), now);

        var watch = Stopwatch.StartNew();
        var decisions = RetentionPlanner.Decide(history, new RetentionPolicy(), now);
        watch.Stop();

        Assert.Equal(Count, decisions.Count);
        output.WriteLine($"BENCH RetentionPlanner.Decide: {Count} backups in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void ListsTenThousandManifests()
    {
        using var repo = new TestRepository(encrypted: false);
        using var session = repo.OpenUnlocked();
        var start = new DateTimeOffset(2024, 1, 1, 2, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < Count; i++)
        {
            var id = BackupId.New(start.AddHours(i));
            var directory = session.Layout.BackupDirectory(id);
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(Path.Combine(directory, ManifestStore.ManifestFileName), Manifest(id, session.Config.Id, start.AddHours(i)).Serialize());
        }

        var watch = Stopwatch.StartNew();
        var listing = ManifestStore.List(session, includeIncomplete: true);
        watch.Stop();

        Assert.Equal(Count, listing.Backups.Count);
        output.WriteLine($"BENCH ManifestStore.List: {Count} manifests in {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    private static BackupManifest Manifest(string id, string repositoryId, DateTimeOffset start) => new()
    {
        Id = id,
        RepositoryId = repositoryId,
        Type = "logical",
        Database = "db" + (id.GetHashCode() & 7),
        Server = new ServerFacts { Host = "h", Port = 5432, Version = "15.1" },
        StartTime = start,
        EndTime = start.AddMinutes(3),
        Compression = "zstd",
        Files = [new ManifestFile { Name = "database.pgdump.zst", Role = "dump", Compression = "zstd", SizeBytes = 123_456, Sha256 = new string('0', 64), PlainBytes = 456_789 }],
        StoredBytes = 123_456,
        RawBytes = 456_789,
        Tool = new ToolFacts { Name = "test", Version = "0", MachineName = "m" },
    };
}
