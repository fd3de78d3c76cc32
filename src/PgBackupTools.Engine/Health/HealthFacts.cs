using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Health;

/// <summary>Everything health needs to know about one database's backups.</summary>
/// <param name="Backups">Complete backups, newest first.</param>
/// <param name="LastRun">The newest run record (succeeded or not), if any.</param>
public sealed record DatabaseHealthFacts(string Database, IReadOnlyList<Backup> Backups, RunRecord? LastRun);

/// <summary>Everything health needs to know about the repository; gathered by <see cref="HealthProbe"/>.</summary>
public sealed record RepositoryHealthFacts
{
    public required string Repository { get; init; }

    /// <summary>Why the repository could not be read or authenticated; null when it is fine.</summary>
    public string? Problem { get; init; }

    public long? FreeSpaceBytes { get; init; }
    public IReadOnlyList<string> AbandonedRuns { get; init; } = [];
    public IReadOnlyList<string> UnreadableBackups { get; init; } = [];
    public IReadOnlyList<DatabaseHealthFacts> Databases { get; init; } = [];

    /// <summary>One entry per cluster that archives WAL into the repository.</summary>
    public IReadOnlyList<WalHealthFacts> WalArchives { get; init; } = [];
}
