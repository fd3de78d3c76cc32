using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// How Restore-PgBackup -Jobs N splits a streamed archive over N pg_restore processes, each fed by its own
/// decrypting stream (nothing is spooled to disk):
/// 1. pre-data (schemas, tables, functions): one pg_restore --section=pre-data;
/// 2. data: N workers, table data balanced by COPY bytes (largest first, see <see cref="DataAssignment"/>);
///    everything else in the data section (sequence values, large objects) goes to the first worker, which
///    also reads the whole archive to authenticate it;
/// 3. indexes and primary/unique constraints: one group per table, its entries in archive order, which may start
///    as soon as the data worker that loads the table has finished (<see cref="ParallelRestoreScheduler"/>);
/// 4. the rest of post-data (foreign keys, triggers, rules, materialized view data, comments, grants):
///    one worker, in archive order, after every index exists.
/// Lists hold pg_restore --list lines, which pg_restore -L replays in the given order.
/// </summary>
public sealed record ParallelRestorePlan(
    int Jobs,
    IReadOnlyList<IReadOnlyList<string>> DataWorkers,
    IReadOnlyList<IndexGroup> IndexGroups,
    IReadOnlyList<string> RemainingPostData)
{
    private static readonly HashSet<string> TableScopedPostData = ["INDEX", "CONSTRAINT"];

    public static ParallelRestorePlan Create(IReadOnlyList<string> dataList, IReadOnlyList<string> postDataList, BackupCatalog catalog, int jobs)
    {
        var entries = catalog.Entries.ToDictionary(e => e.DumpId);
        var bytesByDumpId = catalog.Tables.Where(t => t.DumpId != 0).ToDictionary(t => t.DumpId, t => t.Bytes);

        var dataWorkers = NewWorkers(jobs);
        var tableData = new List<(string Line, long Bytes, long End)>();
        long offset = 0;
        foreach (var line in dataList.Where(IsEntry))
        {
            var id = DumpId(line);
            if (entries.TryGetValue(id, out var entry) && entry.Description == "TABLE DATA")
            {
                var bytes = Math.Max(1, bytesByDumpId.GetValueOrDefault(id));
                offset += bytes;
                tableData.Add((line, bytes, offset));
            }
            else
            {
                dataWorkers[0].Add(line);
                offset += entry?.Description == "BLOBS" ? catalog.LargeObjectBytes : 0;
            }
        }

        var assignment = new DataAssignment(jobs, catalog.LargeObjectBytes);
        foreach (var (line, bytes, end) in tableData.OrderByDescending(t => t.Bytes))
        {
            dataWorkers[assignment.Add(bytes, end)].Add(line);
        }

        // Within a worker, keep archive order (pg_restore -L replays lines in list order).
        foreach (var worker in dataWorkers)
        {
            worker.Sort((a, b) => IndexIn(dataList, a).CompareTo(IndexIn(dataList, b)));
        }

        var busyDataWorkers = dataWorkers.Where(w => w.Count > 0).ToList();
        var loadedBy = LoadingWorkers(busyDataWorkers, entries);
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

        var tableBytes = catalog.Tables.ToDictionary(t => (t.Schema, t.Table), t => t.Bytes);
        var indexGroups = byTable
            .Select(g => new IndexGroup(g.Value, loadedBy.GetValueOrDefault(g.Key, -1), TableBytes(g.Key, entries, tableBytes)))
            .OrderByDescending(g => g.TableBytes)
            .ToList();
        return new ParallelRestorePlan(jobs, busyDataWorkers, indexGroups, remaining);
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

    /// <summary>Which data worker loads each table (by the TABLE entry's dump id).</summary>
    private static Dictionary<int, int> LoadingWorkers(List<List<string>> dataWorkers, IReadOnlyDictionary<int, CatalogEntry> entries)
    {
        var loadedBy = new Dictionary<int, int>();
        for (var worker = 0; worker < dataWorkers.Count; worker++)
        {
            foreach (var line in dataWorkers[worker])
            {
                if (entries.TryGetValue(DumpId(line), out var data) && data.Description == "TABLE DATA" && OwningTable(data, entries) is { } table)
                {
                    loadedBy[table] = worker;
                }
            }
        }

        return loadedBy;
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

/// <summary>
/// The indexes and primary/unique constraints of one table, in archive order. <see cref="DataWorker"/> is the data
/// worker that must finish first (the one loading the table), or -1 when the table has no data in the archive.
/// </summary>
public sealed record IndexGroup(IReadOnlyList<string> Lines, int DataWorker, long TableBytes);
