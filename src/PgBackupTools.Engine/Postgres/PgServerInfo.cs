using System.Net.Sockets;
using Npgsql;

namespace PgBackupTools.Engine.Postgres;

/// <summary>Facts about a server and database that a backup records or needs to decide on tools.</summary>
/// <param name="Major">Major version (15 for 15.4).</param>
/// <param name="Minor">Minor version (4 for 15.4).</param>
/// <param name="VersionNumber">server_version_num, e.g. 150004.</param>
/// <param name="VersionText">The result of version().</param>
/// <param name="Database">The database connected to.</param>
/// <param name="DatabaseSizeBytes">pg_database_size of that database.</param>
/// <param name="SystemIdentifier">The cluster's system identifier; null when pg_control_system() is not permitted.</param>
/// <param name="IsSuperuser">Whether the connected role is a superuser.</param>
/// <param name="IsInRecovery">True on a standby.</param>
/// <param name="DataDirectory">The server's data directory; null unless the role may read it.</param>
public sealed record PgServerInfo(
    int Major,
    int Minor,
    int VersionNumber,
    string VersionText,
    string Database,
    long DatabaseSizeBytes,
    string? SystemIdentifier,
    bool IsSuperuser,
    bool IsInRecovery,
    string? DataDirectory)
{
    public static async Task<PgServerInfo> QueryAsync(PgConnectionSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            await using var connection = new NpgsqlConnection(settings.NpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            int versionNumber;
            string versionText;
            string database;
            long size;
            bool superuser;
            bool inRecovery;
            await using (var command = new NpgsqlCommand(
                "SELECT current_setting('server_version_num')::int, version(), current_database(), " +
                "pg_database_size(current_database()), " +
                "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user), pg_is_in_recovery()",
                connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                versionNumber = reader.GetInt32(0);
                versionText = reader.GetString(1);
                database = reader.GetString(2);
                size = reader.GetInt64(3);
                superuser = !reader.IsDBNull(4) && reader.GetBoolean(4);
                inRecovery = reader.GetBoolean(5);
            }

            var systemIdentifier = await OptionalScalarAsync(
                connection, "SELECT system_identifier::text FROM pg_control_system()", cancellationToken).ConfigureAwait(false);
            var dataDirectory = await OptionalScalarAsync(
                connection, "SELECT current_setting('data_directory')", cancellationToken).ConfigureAwait(false);

            var (major, minor) = SplitVersionNumber(versionNumber);
            return new PgServerInfo(
                major, minor, versionNumber, versionText, database, size, systemIdentifier, superuser, inRecovery, dataDirectory);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            throw PgErrorTranslator.Translate(ex, settings);
        }
    }

    /// <summary>150004 → (15, 4); before version 10 the major had two parts: 90624 → (9, 6).</summary>
    internal static (int Major, int Minor) SplitVersionNumber(int versionNumber) =>
        versionNumber >= 100000
            ? (versionNumber / 10000, versionNumber % 10000)
            : (versionNumber / 10000, versionNumber / 100 % 100);

    // Values only some roles may read: a permission error means "unknown", not failure.
    private static async Task<string?> OptionalScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return null;
        }
    }
}
