using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Health;

/// <summary>What health needs to know about one cluster's WAL archive.</summary>
/// <param name="Newest">The newest archived segment along the newest timeline, null when none.</param>
/// <param name="NewestStoredAt">When it reached the repository: the age of this is the measured RPO.</param>
/// <param name="Continuity">Holes from the start of the oldest physical backup (or the oldest segment) to the newest.</param>
/// <param name="Problem">Why the archive could not be read, or null.</param>
public sealed record WalHealthFacts(
    string SystemIdentifier,
    WalFileName? Newest,
    DateTimeOffset? NewestStoredAt,
    WalContinuityReport? Continuity,
    string? Problem = null);
