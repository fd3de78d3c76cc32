using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// How Restore-PgBackup -Jobs N splits a streamed archive over N pg_restore processes, each fed by its own
/// decrypting stream (nothing is spooled to disk):
/// 1. pre-data (schemas, tables, functions): one pg_restore --section=pre-data;
/// 2. data: N workers, table data balanced by COPY bytes (largest first); everything else in the data
///    section (sequence values, large objects) goes to the first worker;
/// 3. indexes and primary/unique constraints: N workers, all entries of one table on the same worker, in
///    archive order;
/// 4. the rest of post-data (foreign keys, triggers, rules, materialized view data, comments, grants):
///    one worker, in archive order, after every index exists.
/// Lists hold pg_restore --list lines, which pg_restore -L replays in the given order.
/// </summary>
public sealed record ParallelRestorePlan(
    IReadOnlyList<IReadOnlyList<string>> DataWorkers,
    IReadOnlyList<IReadOnlyList<string>> IndexWorkers,
    IReadOnlyList<string> RemainingPostData)
{
    private static readonly HashSet<string> TableScopedPostData = ["INDEX", "CONSTRAINT"];

    public static ParallelRestorePlan Create(IReadOnlyList<string> dataList, IReadOnlyList<string> postDataList, BackupCatalog catalog, int jobs)
    {
        var entries = catalog.Entries.ToDictionary(e => e.DumpId);
        var bytesByDumpId = catalog.Tables.Where(t => t.DumpId != 0).ToDictionary(t => t.DumpId, t => t.Bytes);

        var dataWorkers = NewWorkers(jobs);
        var load = new long[jobs];
        var tableData = new List<(string Line, long Bytes)>();
        foreach (var line in dataList.Where(IsEntry))
        {
            var id = DumpId(line);
            if (entries.TryGetValue(id, out var entry) && entry.Description == "TABLE DATA")
            {
                tableData.Add((line, bytesByDumpId.GetValueOrDefault(id)));
            }
            else
            {
                dataWorkers[0].Add(line);
            }
        }

        load[0] = catalog.LargeObjectBytes;

        foreach (var (line, bytes) in tableData.OrderByDescending(t => t.Bytes))
        {
            var least = Array.IndexOf(load, load.Min());
            dataWorkers[least].Add(line);
            load[least] += Math.Max(1, bytes);
        }

        // Within a worker, keep archive order (pg_restore -L replays lines in list order).
        foreach (var worker in dataWorkers)
        {
            worker.Sort((a, b) => IndexIn(dataList, a).CompareTo(IndexIn(dataList, b)));
        }

        var indexWorkers = NewWorkers(jobs);
        var remaining = new List<string>();
        var postEntries = postDataList.Where(IsEntry).ToList();
        var partitioned = postEntries.Any(l => entries.TryGetValue(DumpId(l), out var e) && e.Description == "INDEX ATTACH");
        var byTable = new Dictionary<int, List<string>>();
        foreach (var line in postEntries)
        {
            var owner = !partitioned && entries.TryGetValue(DumpId(line), out var entry) && TableScopedPostData.Contains(entry.Description)
                ? OwningTable(entry, entries)
                : null;
            if (owner is null)
            {
                remaining.Add(line);
            }
            else
            {
                (byTable.TryGetValue(owner.Value, out var list) ? list : byTable[owner.Value] = []).Add(line);
            }
        }

        var indexLoad = new long[jobs];
        var tableBytes = catalog.Tables.ToDictionary(t => (t.Schema, t.Table), t => t.Bytes);
        foreach (var (table, lines) in byTable.OrderByDescending(g => TableBytes(g.Key, entries, tableBytes)))
        {
            var least = Array.IndexOf(indexLoad, indexLoad.Min());
            indexWorkers[least].AddRange(lines);
            indexLoad[least] += Math.Max(1, TableBytes(table, entries, tableBytes));
        }

        return new ParallelRestorePlan(
            dataWorkers.Where(w => w.Count > 0).ToList(),
            indexWorkers.Where(w => w.Count > 0).ToList(),
            remaining);
    }

    public static int DumpId(string listLine) => int.Parse(listLine.AsSpan(0, listLine.IndexOf(';')), System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsEntry(string line) => line.Length > 0 && char.IsAsciiDigit(line[0]) && line.Contains(';');

    private static List<string>[] NewWorkers(int jobs) => Enumerable.Range(0, jobs).Select(_ => new List<string>()).ToArray();

    private static int IndexIn(IReadOnlyList<string> list, string line)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], line))
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static int? OwningTable(CatalogEntry entry, IReadOnlyDictionary<int, CatalogEntry> entries)
    {
        foreach (var dependency in entry.Dependencies ?? [])
        {
            if (entries.TryGetValue(dependency, out var target) && target.Description == "TABLE")
            {
                return dependency;
            }
        }

        return null;
    }

    private static long TableBytes(int tableDumpId, IReadOnlyDictionary<int, CatalogEntry> entries, IReadOnlyDictionary<(string, string), long> tableBytes) =>
        entries.TryGetValue(tableDumpId, out var table) ? tableBytes.GetValueOrDefault((table.Schema ?? "", table.Name)) : 0;
}
