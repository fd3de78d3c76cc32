using System.Globalization;
using System.Text;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Health;

/// <summary>
/// Writes health as a node_exporter textfile (Prometheus exposition format 0.0.4), replaced atomically so the
/// collector never reads half a file.
/// </summary>
public static class PrometheusTextfile
{
    public static string Render(HealthReport report, RepositoryHealthFacts facts)
    {
        var text = new StringBuilder();
        var repository = Label("repository", report.Repository);
        Gauge(text, "pgbackup_health_status", "Health of the repository: 0 OK, 1 warning, 2 critical, 3 unknown.", [($"{{{repository}}}", (int)report.Status)]);
        if (report.FreeSpaceBytes is { } free)
        {
            Gauge(text, "pgbackup_free_space_bytes", "Free bytes on the repository's volume.", [($"{{{repository}}}", free)]);
        }

        var perDatabase = facts.Databases.Select(d => (Labels: $"{{{repository},{Label("database", d.Database)}}}", Facts: d, Newest: d.Backups.FirstOrDefault())).ToList();
        Gauge(text, "pgbackup_database_health_status", "Worst check of the database: 0 OK, 1 warning, 2 critical, 3 unknown.",
            perDatabase.Select(d => (d.Labels, (double)(int)HealthReport.Worst(report.Checks.Where(c => c.Database == d.Facts.Database)))));
        Gauge(text, "pgbackup_last_success_timestamp_seconds", "Unix time when the newest complete backup finished.",
            perDatabase.Where(d => d.Newest is not null).Select(d => (d.Labels, (double)(d.Newest!.EndTime ?? d.Newest.StartTime).ToUnixTimeSeconds())));
        Gauge(text, "pgbackup_last_size_bytes", "Stored size of the newest complete backup.",
            perDatabase.Where(d => d.Newest is not null).Select(d => (d.Labels, (double)d.Newest!.SizeBytes)));
        Gauge(text, "pgbackup_last_duration_seconds", "Duration of the newest complete backup.",
            perDatabase.Where(d => d.Newest?.Duration is not null).Select(d => (d.Labels, d.Newest!.Duration!.Value.TotalSeconds)));
        Gauge(text, "pgbackup_last_run_success", "1 when the newest backup run succeeded, 0 when it failed or was cancelled.",
            perDatabase.Where(d => d.Facts.LastRun is not null).Select(d => (d.Labels, d.Facts.LastRun!.Outcome == RunOutcome.Succeeded ? 1.0 : 0.0)));
        var perSystem = facts.WalArchives.Select(w => (Labels: $"{{{repository},{Label("system_identifier", w.SystemIdentifier)}}}", Facts: w)).ToList();
        Gauge(text, "pgbackup_wal_last_archived_timestamp_seconds", "Unix time when the newest WAL segment reached the repository (now minus this is the RPO).",
            perSystem.Where(w => w.Facts.NewestStoredAt is not null).Select(w => (w.Labels, (double)w.Facts.NewestStoredAt!.Value.ToUnixTimeSeconds())));
        Gauge(text, "pgbackup_wal_gaps", "Holes in the WAL archive since the oldest physical backup.",
            perSystem.Where(w => w.Facts.Continuity is not null).Select(w => (w.Labels, (double)w.Facts.Continuity!.Gaps.Count)));
        return text.ToString();
    }

    public static void Write(string path, HealthReport report, RepositoryHealthFacts facts) =>
        SecureFileSystem.WriteAllBytesAtomic(path, Encoding.UTF8.GetBytes(Render(report, facts)));

    private static void Gauge(StringBuilder text, string name, string help, IEnumerable<(string Labels, double Value)> samples)
    {
        var list = samples.ToList();
        if (list.Count == 0)
        {
            return;
        }

        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        foreach (var (labels, value) in list)
        {
            text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static string Label(string name, string value) =>
        $"{name}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"";
}
