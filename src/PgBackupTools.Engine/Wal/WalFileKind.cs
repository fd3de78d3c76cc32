namespace PgBackupTools.Engine.Wal;

/// <summary>The kinds of file PostgreSQL hands to archive_command.</summary>
public enum WalFileKind
{
    /// <summary>A complete WAL segment: 24 hex digits, e.g. 000000010000000000000003.</summary>
    Segment,

    /// <summary>A timeline history file written at promotion, e.g. 00000002.history.</summary>
    History,

    /// <summary>A backup history file, e.g. 000000010000000000000002.00000028.backup.</summary>
    BackupHistory,

    /// <summary>The unfinished last segment of an old timeline (or of pg_receivewal), e.g. ...0005.partial.</summary>
    Partial,
}
