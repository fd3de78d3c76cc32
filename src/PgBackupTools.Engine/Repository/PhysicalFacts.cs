using System.Globalization;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Repository;

/// <summary>What a physical (base) backup's manifest records beyond a logical one: where its WAL starts and ends.</summary>
public sealed record PhysicalFacts
{
    public required string SystemIdentifier { get; init; }
    public required uint Timeline { get; init; }
    public required string StartLsn { get; init; }
    public required string StopLsn { get; init; }
    public required int WalSegmentSize { get; init; }

    /// <summary>The server's clock when the backup became consistent: the earliest point in time it can restore to.</summary>
    public required DateTimeOffset ConsistentAt { get; init; }

    /// <summary>The backup_label pg_basebackup wrote (also inside the tar).</summary>
    public required string BackupLabel { get; init; }

    /// <summary>True when pg_wal/ inside the tar holds the WAL to reach consistency (-IncludeWal), so it restores without the archive.</summary>
    public bool IncludesWal { get; init; }

    /// <summary>The role created by initdb (oid 10); a restore connects as it over a private socket.</summary>
    public required string BootstrapSuperuser { get; init; }

    /// <summary>
    /// True when PostgreSQL compressed the tar itself (BASE_BACKUP ... COMPRESSION): base.tar.* then holds its
    /// compressed stream as sent. (Whenever the backup came through BASE_BACKUP, compressed or not, backup_manifest is
    /// stored only beside the tar, not inside it.)
    /// </summary>
    public bool CompressedOnServer { get; init; }

    public long DataFileCount { get; init; }
    public int ServerMajorVersion { get; init; }

    // Methods, not properties: everything public with a getter is part of manifest.json.
    public ulong SystemId() => ulong.Parse(SystemIdentifier, CultureInfo.InvariantCulture);

    /// <summary>The segments the backup needs to become consistent.</summary>
    public (ulong First, ulong Last) WalSegments() => WalFileName.SegmentRange(Lsn.Parse(StartLsn), Lsn.Parse(StopLsn), WalSegmentSize);
}
