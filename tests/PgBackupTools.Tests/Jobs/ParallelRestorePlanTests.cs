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
        var all = plan.DataWorkers.SelectMany(w => w).Concat(plan.IndexGroups.SelectMany(g => g.Lines)).Concat(plan.RemainingPostData).Select(ParallelRestorePlan.DumpId).Order();
        Assert.Equal([20, 21, 22, 23, 30, 31, 32, 33, 34], all);
    }

    [Fact]
    public void TablesOfSimilarSizeGetTheirOwnStreamsAndEachWorkerKeepsArchiveOrder()
    {
        var plan = Plan(2, ("a", 5_000_000), ("b", 4_000_000), ("c", 4_500_000));
        Assert.Equal(2, plan.DataWorkers.Count);
        Assert.Equal([["a"], ["b", "c"]], plan.DataWorkers.Select(Tables));
    }

    [Fact]
    public void SmallTablesAfterABigOneJoinTheStreamThatReadsThatFarAnyway()
    {
        // The first worker reads the whole archive to authenticate it: "small" and "tiny" lie behind "big", so a
        // second stream for them would decode all of "big" only to skip it. "early" ends before "big" does.
        var plan = Plan(2, ("early", 2_000_000), ("big", 9_000_000), ("small", 1_000), ("tiny", 10));
        Assert.Equal([["big", "small", "tiny"], ["early"]], plan.DataWorkers.Select(Tables));
    }

    [Fact]
    public void ABigTableLateInTheArchiveStillGetsAStreamOfItsOwn()
    {
        var plan = Plan(2, ("first", 6_000_000), ("second", 6_000_000));
        Assert.Equal([["first"], ["second"]], plan.DataWorkers.Select(Tables));
    }

    [Fact]
    public void IndexesOfOneTableStayTogetherAndForeignKeysAndTriggersWaitForAll()
    {
        var plan = ParallelRestorePlan.Create(DataList, PostDataList, Catalog, 2);
        Assert.Equal([[30, 31], [32]], plan.IndexGroups.Select(g => g.Lines.Select(ParallelRestorePlan.DumpId).ToArray()));
        // Both tables are loaded by the first data worker (the small one lies behind the big one).
        Assert.Equal([0, 0], plan.IndexGroups.Select(g => g.DataWorker));
        Assert.Equal([33, 34], plan.RemainingPostData.Select(ParallelRestorePlan.DumpId));
    }

    [Fact]
    public void PartitionedTablesKeepAllPostDataInOneOrderedStream()
    {
        var catalog = Catalog with { Entries = [.. Catalog.Entries, new CatalogEntry(35, "INDEX ATTACH", "public", "p_attach", "PostData", [31])] };
        var plan = ParallelRestorePlan.Create(DataList, [.. PostDataList, "35; 0 10 INDEX ATTACH public p_attach u"], catalog, 4);
        Assert.Empty(plan.IndexGroups);
        Assert.Equal([30, 31, 32, 33, 34, 35], plan.RemainingPostData.Select(ParallelRestorePlan.DumpId));
    }

    [Fact]
    public void MoreJobsThanTablesLeavesNoEmptyWorker()
    {
        var plan = ParallelRestorePlan.Create(DataList, PostDataList, Catalog, 8);
        Assert.All(plan.DataWorkers, w => Assert.NotEmpty(w));
        Assert.All(plan.IndexGroups, g => Assert.NotEmpty(g.Lines));
        // The small table lies behind the big one, whose stream carries the sequence values and large objects too.
        Assert.Single(plan.DataWorkers);
    }

    private static ParallelRestorePlan Plan(int jobs, params (string Name, long Bytes)[] tables)
    {
        var catalog = new BackupCatalog
        {
            Tables = tables.Select((t, i) => new TableRowCount("public", t.Name, 1, t.Bytes, 100 + i)).ToList(),
            Entries =
            [
                .. tables.Select((t, i) => new CatalogEntry(i + 1, "TABLE", "public", t.Name, "PreData", [])),
                .. tables.Select((t, i) => new CatalogEntry(100 + i, "TABLE DATA", "public", t.Name, "Data", [i + 1])),
            ],
        };
        var dataList = tables.Select((t, i) => $"{100 + i}; 0 {i} TABLE DATA public {t.Name} u").ToList();
        return ParallelRestorePlan.Create(dataList, [], catalog, jobs);
    }

    private static string[] Tables(IReadOnlyList<string> worker) => worker.Select(l => l.Split(' ')[^2]).ToArray();
}
