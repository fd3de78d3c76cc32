using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Jobs;

public class PartialRestorePlanTests
{
    // The catalog pg_dump 15 produced for: a (serial id, index), b (FK to a).
    private static readonly BackupCatalog Catalog = new()
    {
        Tables = [new TableRowCount("public", "a", 1000, 10_000, 3351), new TableRowCount("public", "b", 3000, 30_000, 3352), new TableRowCount("other", "a", 5, 50, 3353)],
        Entries =
        [
            new CatalogEntry(215, "TABLE", "public", "a", "PreData", []),
            new CatalogEntry(214, "SEQUENCE", "public", "a_id_seq", "PreData", [215]),
            new CatalogEntry(3359, "SEQUENCE OWNED BY", "public", "a_id_seq", "PreData", [214]),
            new CatalogEntry(216, "TABLE", "public", "b", "PreData", []),
            new CatalogEntry(217, "TABLE", "other", "a", "PreData", []),
            new CatalogEntry(3201, "DEFAULT", "public", "a id", "PreData", [214, 215, 215]),
            new CatalogEntry(3351, "TABLE DATA", "public", "a", "Data", [215]),
            new CatalogEntry(3352, "TABLE DATA", "public", "b", "Data", [216]),
            new CatalogEntry(3353, "TABLE DATA", "other", "a", "Data", [217]),
            new CatalogEntry(3360, "SEQUENCE SET", "public", "a_id_seq", "Data", [214]),
            new CatalogEntry(3203, "CONSTRAINT", "public", "a a_pkey", "PostData", [215]),
            new CatalogEntry(3206, "CONSTRAINT", "public", "b b_pkey", "PostData", [216]),
            new CatalogEntry(3204, "INDEX", "public", "a_v", "PostData", [215]),
            new CatalogEntry(3207, "FK CONSTRAINT", "public", "b b_a_id_fkey", "PostData", [215, 3203, 216]),
        ],
    };

    [Fact]
    public void AnExistingTableGetsOnlyItsRowsAndItsSequenceValues()
    {
        var selected = PartialRestorePlan.Select(Catalog, null, ["public.a"]);
        var plan = PartialRestorePlan.Create(Catalog, selected, _ => true);
        Assert.Equal([3351, 3360], plan.DataEntries);
        Assert.Empty(plan.RecreateEntries);
        Assert.Equal("a", Assert.Single(plan.ReplaceData).Table);
    }

    [Fact]
    public void AMissingTableComesBackWithItsDefinitionSequenceIndexesAndConstraints()
    {
        var selected = PartialRestorePlan.Select(Catalog, null, ["public.a"]);
        var plan = PartialRestorePlan.Create(Catalog, selected, _ => false);
        Assert.Empty(plan.DataEntries);
        Assert.Equal([214, 215, 3201, 3203, 3204, 3351, 3359, 3360], plan.RecreateEntries);
    }

    [Fact]
    public void AMissingReferencingTableBringsItsForeignKeyButNotTheReferencedTable()
    {
        var selected = PartialRestorePlan.Select(Catalog, null, ["b"]);
        var plan = PartialRestorePlan.Create(Catalog, selected, _ => false);
        Assert.Equal([216, 3206, 3207, 3352], plan.RecreateEntries);
    }

    [Fact]
    public void NamesSelectBySchemaAndTableCaseSensitively()
    {
        Assert.Equal(2, PartialRestorePlan.Select(Catalog, null, ["a"]).Count);
        Assert.Equal("other", Assert.Single(PartialRestorePlan.Select(Catalog, ["other"], null)).Schema);
        Assert.Equal("public", Assert.Single(PartialRestorePlan.Select(Catalog, ["public"], ["a"])).Schema);
        var none = Assert.Throws<PgBackupException>(() => PartialRestorePlan.Select(Catalog, null, ["A"]));
        Assert.Equal("NothingToRestore", none.ErrorId);
        Assert.Contains("public.a", none.Message);
    }
}
