using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Which archive entries a restore of selected tables needs (Restore-PgBackup -Schema/-Table):
/// for a table that still exists in the target, only its rows (TABLE DATA) and the values of the sequences it
/// owns (SEQUENCE SET): its definition, indexes and constraints stay as they are; for a table that is gone,
/// also its definition and everything that belongs to it (indexes, constraints, defaults, triggers, owned
/// sequences, comments, grants).
/// </summary>
public sealed record PartialRestorePlan(
    IReadOnlyList<TableRowCount> ReplaceData,
    IReadOnlyList<TableRowCount> Recreate,
    IReadOnlyList<int> DataEntries,
    IReadOnlyList<int> RecreateEntries)
{
    private static readonly HashSet<string> TableParts =
        ["INDEX", "CONSTRAINT", "FK CONSTRAINT", "TRIGGER", "RULE", "POLICY", "DEFAULT", "COMMENT", "ACL", "SEQUENCE OWNED BY", "STATISTICS", "ROW SECURITY"];

    public static IReadOnlyList<TableRowCount> Select(BackupCatalog catalog, IReadOnlyList<string>? schemas, IReadOnlyList<string>? tables)
    {
        var selected = catalog.Tables.Where(t =>
                (schemas is null || schemas.Count == 0 || schemas.Contains(t.Schema, StringComparer.Ordinal))
                && (tables is null || tables.Count == 0 || tables.Any(name => Matches(name, t))))
            .ToList();
        if (selected.Count == 0)
        {
            var available = string.Join(", ", catalog.Tables.Take(10).Select(t => $"{t.Schema}.{t.Table}"));
            throw new PgBackupException(
                "NothingToRestore",
                ErrorKind.ObjectNotFound,
                $"No table of the backup matches -Schema {string.Join(",", schemas ?? [])} -Table {string.Join(",", tables ?? [])}. Names are case-sensitive, as in PostgreSQL. The backup has: {available}{(catalog.Tables.Count > 10 ? ", ..." : "")}.");
        }

        return selected;
    }

    public static PartialRestorePlan Create(BackupCatalog catalog, IReadOnlyList<TableRowCount> selected, Func<TableRowCount, bool> existsInTarget)
    {
        var entries = catalog.Entries.ToDictionary(e => e.DumpId);
        var replace = selected.Where(existsInTarget).ToList();
        var recreate = selected.Where(t => !existsInTarget(t)).ToList();

        var dataEntries = new SortedSet<int>();
        var recreateEntries = new SortedSet<int>();
        foreach (var table in selected)
        {
            var tableId = TableEntryId(catalog, table);
            var isRecreated = recreate.Contains(table);
            if (table.DumpId != 0)
            {
                (isRecreated ? recreateEntries : dataEntries).Add(table.DumpId);
            }

            var owned = OwnedSequences(catalog, tableId);
            foreach (var set in catalog.Entries.Where(e => e.Description == "SEQUENCE SET" && (e.Dependencies ?? []).Any(owned.Contains)))
            {
                (isRecreated ? recreateEntries : dataEntries).Add(set.DumpId);
            }

            if (!isRecreated || tableId is null)
            {
                continue;
            }

            recreateEntries.Add(tableId.Value);
            recreateEntries.UnionWith(owned);
            foreach (var entry in catalog.Entries.Where(e => BelongsToTable(e, table, tableId.Value, owned)))
            {
                recreateEntries.Add(entry.DumpId);
            }
        }

        // A comment or grant on the table itself depends on the table entry; keep only entries the archive has.
        recreateEntries.RemoveWhere(id => !entries.ContainsKey(id));
        return new PartialRestorePlan(replace, recreate, dataEntries.ToList(), recreateEntries.ToList());
    }

    // A foreign key belongs to the table that holds it, not to the table it references: recreating a referenced
    // table must not alter the referencing one. pg_dump names a constraint entry "<table> <constraint>".
    private static bool BelongsToTable(CatalogEntry entry, TableRowCount table, int tableId, HashSet<int> ownedSequences)
    {
        var dependencies = entry.Dependencies ?? [];
        if (!TableParts.Contains(entry.Description))
        {
            return false;
        }

        return entry.Description == "FK CONSTRAINT"
            ? dependencies.Contains(tableId) && entry.Schema == table.Schema && entry.Name.StartsWith(table.Table + " ", StringComparison.Ordinal)
            : dependencies.Any(d => d == tableId || ownedSequences.Contains(d));
    }

    private static bool Matches(string name, TableRowCount table)
    {
        var dot = name.IndexOf('.');
        return dot > 0 && name.AsSpan(0, dot).SequenceEqual(table.Schema)
            ? name[(dot + 1)..] == table.Table
            : name == table.Table;
    }

    private static int? TableEntryId(BackupCatalog catalog, TableRowCount table) =>
        catalog.Entries.FirstOrDefault(e => e.Description == "TABLE" && e.Schema == table.Schema && e.Name == table.Table)?.DumpId;

    // pg_dump makes a sequence owned by a table (serial, identity) depend on that table.
    private static HashSet<int> OwnedSequences(BackupCatalog catalog, int? tableId) => tableId is null
        ? []
        : catalog.Entries.Where(e => e.Description == "SEQUENCE" && (e.Dependencies ?? []).Contains(tableId.Value)).Select(e => e.DumpId).ToHashSet();
}
