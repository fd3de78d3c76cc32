using Npgsql;

namespace PgBackupTools.Engine.Postgres;

/// <summary>Encoding and locale of a database: a restore creates its new database with the same ones.</summary>
public sealed record PgDatabaseProperties(string Encoding, string Collate, string Ctype)
{
    public static async Task<PgDatabaseProperties> QueryAsync(PgConnectionSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(settings.NpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                "SELECT pg_encoding_to_char(encoding), datcollate::text, datctype::text FROM pg_database WHERE datname = current_database()",
                connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new PgDatabaseProperties(reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw PgErrorTranslator.Translate(ex, settings);
        }
    }
}
