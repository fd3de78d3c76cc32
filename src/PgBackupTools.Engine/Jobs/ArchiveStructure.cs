using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Compares pg_restore's view of an archive (its --list) with the catalog recorded at backup time.</summary>
internal static class ArchiveStructure
{
    // pg_restore applies these while it reads the header and never lists them (DATABASE only with --create).
    private static readonly HashSet<string> NeverListed = ["ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE", "DATABASE PROPERTIES"];

    public static string Compare(IReadOnlyList<string> list, BackupCatalog? catalog)
    {
        if (catalog is null)
        {
            throw new CheckFailedException("The backup has no catalog, so its table of contents cannot be compared with what was recorded.");
        }

        var listed = list.Where(l => l.Length > 0 && char.IsAsciiDigit(l[0]) && l.Contains(';'))
            .Select(ParallelRestorePlan.DumpId)
            .ToHashSet();
        var missing = catalog.Entries.Where(e => !NeverListed.Contains(e.Description) && !listed.Contains(e.DumpId)).ToList();
        if (missing.Count > 0)
        {
            var names = string.Join(", ", missing.Take(5).Select(e => $"{e.Description} {e.Schema}.{e.Name} (id {e.DumpId})"));
            throw new CheckFailedException($"{missing.Count} objects recorded at backup time are not in the archive: {names}{(missing.Count > 5 ? ", ..." : "")}.");
        }

        var tableData = catalog.Entries.Count(e => e.Description == "TABLE DATA");
        if (tableData != catalog.Tables.Count)
        {
            throw new CheckFailedException($"The archive has {tableData} table data entries but {catalog.Tables.Count} tables were counted at backup time.");
        }

        int Count(string description) => catalog.Entries.Count(e => e.Description == description);
        return $"{listed.Count} entries as recorded: {Count("TABLE")} tables, {tableData} with data, {Count("INDEX") + Count("CONSTRAINT")} indexes and constraints, {catalog.LargeObjects} large objects";
    }
}
