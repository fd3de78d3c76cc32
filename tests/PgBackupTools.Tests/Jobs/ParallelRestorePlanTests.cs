using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Jobs;

public class ParallelRestorePlanTests
{
    // A small archive: two tables (big, small), a sequence, large objects, indexes/constraints on both, and
    // a foreign key and a trigger that must wait for every index.
    private static readonly BackupCatalog Catalog = new()
    {
        Tables = [new TableRowCount("public", "big", 1000, 9_000_000, 20), new TableRowCount("public", "small", 10, 1_000, 21)],
        LargeObjectBytes = 500,
        Entries =
        [
            new CatalogEntry(10, "TABLE", "public", "big", "PreData", []),
            new CatalogEntry(11, "TABLE", "public", "small", "PreData", []),
            new CatalogEntry(20, "TABLE DATA", "public", "big", "Data", [10]),
            new CatalogEntry(21, "TABLE DATA", "public", "small", "Data", [11]),
            new CatalogEntry(22, "SEQUENCE SET", "public", "s", "Data", []),
            new CatalogEntry(23, "BLOBS", null, "BLOBS", "Data", []),
            new CatalogEntry(30, "CONSTRAINT", "public", "big_pkey", "PostData", [10]),
            new CatalogEntry(31, "INDEX", "public", "big_v", "PostData", [10]),
            new CatalogEntry(32, "CONSTRAINT", "public", "small_pkey", "PostData", [11]),
            new CatalogEntry(33, "FK CONSTRAINT", "public", "small_big_fk", "PostData", [11, 30]),
            new CatalogEntry(34, "TRIGGER", "public", "small_trg", "PostData", [11]),
        ],
    };

    private static readonly string[] DataList = ["; Archive", "20; 0 1 TABLE DATA public big u", "21; 0 2 TABLE DATA public small u", "22; 0 3 SEQUENCE SET public s u", "23; 0 4 BLOBS - BLOBS u"];
    private static readonly string[] PostDataList = ["30; 0 5 CONSTRAINT public big big_pkey u", "31; 0 6 INDEX public big_v u", "32; 0 7 CONSTRAINT public small small_pkey u", "33; 0 8 FK CONSTRAINT public small small_big_fk u", "34; 0 9 TRIGGER public small small_trg u"];

    [Fact]
    public void EveryEntryIsRestoredExactlyOnce()
    {
        var plan = ParallelRestorePlan.Create(DataList, PostDataList, Catalog, 2);
        var all = plan.DataWorkers.SelectMany(w => w).Concat(plan.IndexWorkers.SelectMany(w => w)).Concat(plan.RemainingPostData).Select(ParallelRestorePlan.DumpId).Order();
        Assert.Equal([20, 21, 22, 23, 30, 31, 32, 33, 34], all);
    }

    [Fact]
    public void TableDataIsSpreadByBytesAndEachWorkerKeepsArchiveOrder()
    {
        var plan = ParallelRestorePlan.Create(DataList, PostDataList, Catalog, 2);
        Assert.Equal(2, plan.DataWorkers.Count);
        var withBig = plan.DataWorkers.Single(w => w.Any(l => l.StartsWith("20;")));
        var other = plan.DataWorkers.Single(w => !ReferenceEquals(w, withBig));
        Assert.Equal(["20"], withBig.Select(l => l.Split(';')[0]));
        Assert.Equal(["21", "22", "23"], other.Select(l => l.Split(';')[0]));
    }

    [Fact]
    public void IndexesOfOneTableStayTogetherAndForeignKeysAndTriggersWaitForAll()
    {
        var plan = ParallelRestorePlan.Create(DataList, PostDataList, Catalog, 2);
        Assert.Contains(plan.IndexWorkers, w => w.Select(ParallelRestorePlan.DumpId).SequenceEqual([30, 31]));
        Assert.Contains(plan.IndexWorkers, w => w.Select(ParallelRestorePlan.DumpId).SequenceEqual([32]));
        Assert.Equal([33, 34], plan.RemainingPostData.Select(ParallelRestorePlan.DumpId));
    }

    [Fact]
    public void PartitionedTablesKeepAllPostDataInOneOrderedStream()
    {
        var catalog = Catalog with { Entries = [.. Catalog.Entries, new CatalogEntry(35, "INDEX ATTACH", "public", "p_attach", "PostData", [31])] };
        var plan = ParallelRestorePlan.Create(DataList, [.. PostDataList, "35; 0 10 INDEX ATTACH public p_attach u"], catalog, 4);
        Assert.Empty(plan.IndexWorkers);
        Assert.Equal([30, 31, 32, 33, 34, 35], plan.RemainingPostData.Select(ParallelRestorePlan.DumpId));
    }

    [Fact]
    public void MoreJobsThanTablesLeavesNoEmptyWorker()
    {
        var plan = ParallelRestorePlan.Create(DataList, PostDataList, Catalog, 8);
        Assert.All(plan.DataWorkers, w => Assert.NotEmpty(w));
        Assert.All(plan.IndexWorkers, w => Assert.NotEmpty(w));
        // Sequence values and large objects, the big table, the small table: three streams, not eight.
        Assert.Equal(3, plan.DataWorkers.Count);
    }
}
