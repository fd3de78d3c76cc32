using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>The server settings a base backup depends on, read before pg_basebackup starts so a refusal says what to change.</summary>
public sealed record PhysicalServerFacts(
    string WalLevel,
    int MaxWalSenders,
    bool CanReplicate,
    bool ArchiveModeOn,
    int WalSegmentSize,
    IReadOnlyList<string> UserTablespaces,
    string BootstrapSuperuser,
    string SystemIdentifier,
    string CurrentUser)
{
    public const string ClusterDatabaseLabel = "(cluster)";

    public static async Task<PhysicalServerFacts> QueryAsync(PgConnectionSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(settings.NpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                """
                SELECT current_setting('wal_level'), current_setting('max_wal_senders')::int,
                       (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user),
                       current_setting('archive_mode') IN ('on', 'always'),
                       (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'),
                       ARRAY(SELECT spcname::text FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY 1),
                       (SELECT rolname::text FROM pg_roles WHERE oid = 10),
                       (SELECT system_identifier::text FROM pg_control_system()),
                       current_user::text
                """,
                connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new PhysicalServerFacts(
                reader.GetString(0),
                reader.GetInt32(1),
                !reader.IsDBNull(2) && reader.GetBoolean(2),
                reader.GetBoolean(3),
                ParseSize(reader.GetString(4)),
                reader.GetFieldValue<string[]>(5),
                reader.GetString(6),
                reader.IsDBNull(7) ? "" : reader.GetString(7),
                reader.GetString(8));
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw PgErrorTranslator.Translate(ex, settings);
        }
    }

    /// <summary>Refuses, saying what to change, when pg_basebackup could not take a restorable backup.</summary>
    public void RequireReady(PgConnectionSettings settings, bool includeWal)
    {
        if (WalLevel == "minimal")
        {
            throw NotReady("PhysicalBackupWalLevel", $"wal_level is 'minimal' on {settings.Endpoint}, which keeps too little WAL for a base backup. Set wal_level = replica in postgresql.conf and restart the server.", settings);
        }

        if (MaxWalSenders < (includeWal ? 2 : 1))
        {
            throw NotReady("PhysicalBackupWalSenders", $"max_wal_senders is {MaxWalSenders} on {settings.Endpoint}; a base backup needs at least {(includeWal ? 2 : 1)} free WAL sender. Raise max_wal_senders (default 10) and restart the server.", settings);
        }

        if (!CanReplicate)
        {
            throw NotReady("PhysicalBackupNoReplicationRole", $"Role '{CurrentUser}' may not take base backups on {settings.Endpoint}. Run ALTER ROLE {PgDatabaseAdmin.QuoteIdentifier(CurrentUser)} REPLICATION; (and allow it in pg_hba.conf: 'host replication {CurrentUser} <client address> scram-sha-256'), or connect as a superuser.", settings);
        }

        if (UserTablespaces.Count > 0)
        {
            throw new PgBackupException(
                "TablespacesNotSupported",
                ErrorKind.InvalidOperation,
                $"The cluster on {settings.Endpoint} has tablespaces outside its data directory ({string.Join(", ", UserTablespaces)}); physical backups of such clusters are not supported yet. Use logical backups (Invoke-PgBackup -Type Logical) for it, or move the objects into pg_default.")
            { Target = settings.Endpoint };
        }

        if (!ArchiveModeOn && !includeWal)
        {
            throw NotReady("WalArchivingNotConfigured", $"archive_mode is off on {settings.Endpoint}, so the WAL this backup needs would not reach the repository and the backup could not be restored. Turn on archiving into the repository (see Get-PgWalArchiveCommand), or use -IncludeWal for a self-contained backup without point-in-time recovery.", settings);
        }
    }

    private static PgBackupException NotReady(string errorId, string message, PgConnectionSettings settings) =>
        new(errorId, ErrorKind.InvalidOperation, message) { Target = settings.Endpoint };

    private static int ParseSize(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : 16 * 1024 * 1024;
}
