using System.Globalization;
using Npgsql;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Reads a connection string in any of the three common forms: a postgresql:// URI, libpq keywords
/// ("host=db01 port=5432 dbname=app user=backup") or Npgsql ("Host=db01;Port=5432;Database=app").
/// Error messages name keywords, never values, because values may include the password.
/// </summary>
internal static class ConnectionStringParser
{
    // Every keyword libpq knows; a string made only of these is read as libpq syntax.
    private static readonly HashSet<string> LibpqKeywords = new(StringComparer.Ordinal)
    {
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding", "connect_timeout",
        "client_encoding", "options", "application_name", "fallback_application_name", "keepalives",
        "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication",
        "gssencmode", "sslmode", "sslnegotiation", "requiressl", "sslcompression", "sslcert", "sslkey",
        "sslpassword", "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
        "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib", "gssdelegation", "service",
        "target_session_attrs", "load_balance_hosts", "require_auth",
    };

    // Keywords that do not change where or as whom we connect, so they can be ignored safely.
    private static readonly HashSet<string> IgnoredLibpqKeywords = new(StringComparer.Ordinal)
    {
        "application_name", "fallback_application_name", "connect_timeout", "client_encoding",
        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    };

    public static ParsedConnectionString Parse(string connectionString)
    {
        var text = connectionString.Trim();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
            text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return FromLibpqKeywords(PostgresUriParser.Parse(text));

        if (LibpqKeywordParser.TryParse(text, out var keywords) && keywords.All(k => LibpqKeywords.Contains(k.Key)))
            return FromLibpqKeywords(keywords);

        return FromNpgsql(text);
    }

    private static ParsedConnectionString FromLibpqKeywords(IReadOnlyList<KeyValuePair<string, string>> keywords)
    {
        var result = new ParsedConnectionString();
        foreach (var (key, value) in keywords)
        {
            result = key switch
            {
                "host" or "hostaddr" => result with { Host = value },
                "port" => result with { Port = ParsePort(value) },
                "dbname" => result with { Database = value },
                "user" => result with { Username = value },
                "password" => result with { Password = value },
                "sslmode" => result with { SslMode = value },
                _ when IgnoredLibpqKeywords.Contains(key) => result,
                _ => throw new PgBackupException(
                    "UnsupportedConnectionOption",
                    ErrorKind.InvalidArgument,
                    $"The connection option '{key}' is not supported. Supported: host, hostaddr, port, dbname, user, " +
                    "password, sslmode."),
            };
        }
        return result;
    }

    private static ParsedConnectionString FromNpgsql(string text)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new PgBackupException(
                "InvalidConnectionString",
                ErrorKind.InvalidArgument,
                "The connection string is neither a postgresql:// URI, libpq keywords (host=.. port=.. dbname=.. " +
                "user=..) nor Npgsql syntax (Host=..;Port=..;Database=..;Username=..). " + ex.Message);
        }
        return new ParsedConnectionString(
            Host: NullIfEmpty(builder.Host),
            Port: IsSet(text, "Port") ? builder.Port : null,
            Database: NullIfEmpty(builder.Database),
            Username: NullIfEmpty(builder.Username),
            Password: NullIfEmpty(builder.Password),
            SslMode: IsSet(text, "SSL Mode", "SslMode") ? SslModes.FromNpgsql(builder.SslMode) : null);
    }

    // Npgsql's builder reports defaults for every keyword; the plain builder tells which ones the text named.
    private static bool IsSet(string text, params string[] aliases)
    {
        var raw = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = text };
        return aliases.Any(raw.ContainsKey);
    }

    private static int ParsePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port
            : throw new PgBackupException("InvalidPort", ErrorKind.InvalidArgument, $"Port '{value}' is not a number.");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
