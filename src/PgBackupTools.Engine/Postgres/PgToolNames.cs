namespace PgBackupTools.Engine.Postgres;

/// <summary>Names of the PostgreSQL client programs the engine runs.</summary>
public static class PgToolNames
{
    public const string PgDump = "pg_dump";
    public const string PgRestore = "pg_restore";
    public const string PgDumpAll = "pg_dumpall";
    public const string Psql = "psql";
    public const string PgBaseBackup = "pg_basebackup";
    public const string PgCtl = "pg_ctl";
    public const string PgReceiveWal = "pg_receivewal";
}
