using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Physical;

/// <summary>A stretch of WAL the base backup needs to be consistent: from StartLsn to EndLsn on one timeline.</summary>
public sealed record PgManifestWalRange(uint Timeline, Lsn StartLsn, Lsn EndLsn);
