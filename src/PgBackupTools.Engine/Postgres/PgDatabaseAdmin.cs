using Npgsql;

namespace PgBackupTools.Engine.Postgres;

/// <summary>Database-level DDL a restore needs: exists/empty checks, create, rename, drop. Names are quoted, never interpolated raw.</summary>
public sealed class PgDatabaseAdmin(PgConnectionSettings maintenance)
{
    public enum TargetState
    {
        Missing,
        Empty,
        HasObjects,
    }

    /// <summary>The database that admin commands connect to (it exists on every cluster initdb made).</summary>
    public const string MaintenanceDatabase = "postgres";

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string QuoteLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public async Task<TargetState> GetStateAsync(string database, CancellationToken cancellationToken)
    {
        var exists = await ScalarAsync<bool>(maintenance, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", database, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            return TargetState.Missing;
        }

        const string userObjects = """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
            """;
        var count = await ScalarAsync<long>(maintenance.WithDatabase(database), userObjects, null, cancellationToken).ConfigureAwait(false);
        return count == 0 ? TargetState.Empty : TargetState.HasObjects;
    }

    public async Task CreateAsync(string database, PgDatabaseProperties? like, CancellationToken cancellationToken)
    {
        var sql = $"CREATE DATABASE {QuoteIdentifier(database)} TEMPLATE template0";
        if (like is not null)
        {
            sql += $" ENCODING {QuoteLiteral(like.Encoding)} LC_COLLATE {QuoteLiteral(like.Collate)} LC_CTYPE {QuoteLiteral(like.Ctype)}";
        }

        await ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
    }

    public Task RenameAsync(string from, string to, CancellationToken cancellationToken) =>
        ExecuteAsync($"ALTER DATABASE {QuoteIdentifier(from)} RENAME TO {QuoteIdentifier(to)}", cancellationToken);

    /// <summary>Drops a database, disconnecting its sessions first (PostgreSQL 13+ WITH (FORCE)).</summary>
    public Task DropAsync(string database, CancellationToken cancellationToken) =>
        ExecuteAsync($"DROP DATABASE IF EXISTS {QuoteIdentifier(database)} WITH (FORCE)", cancellationToken);

    public async Task DisconnectSessionsAsync(string database, CancellationToken cancellationToken)
    {
        await ScalarAsync<long>(
            maintenance,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()",
            database,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(maintenance.NpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw PgErrorTranslator.Translate(ex, maintenance);
        }
    }

    private static async Task<T> ScalarAsync<T>(PgConnectionSettings settings, string sql, string? name, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(settings.NpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql, connection);
            if (name is not null)
            {
                command.Parameters.AddWithValue("name", name);
            }

            return (T)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw PgErrorTranslator.Translate(ex, settings);
        }
    }
}
