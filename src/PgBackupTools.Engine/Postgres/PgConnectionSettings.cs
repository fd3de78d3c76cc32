using System.Globalization;
using System.Text.Json.Serialization;
using System.Xml.Serialization;
using Npgsql;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Where and as whom to connect. Immutable. The password is kept internal to the engine: it is not a public
/// property (so PowerShell formatting and serialisers cannot show it) and <see cref="ToString"/> leaves it out.
/// </summary>
public sealed class PgConnectionSettings
{
    public const string ApplicationName = "PgBackupTools";
    public const int DefaultPort = 5432;
    public const string DefaultHost = "localhost";
    public const int ConnectTimeoutSeconds = 15;

    private PgConnectionSettings(string host, int port, string database, string username, string? password, string? sslMode)
    {
        Host = host;
        Port = port;
        Database = database;
        Username = username;
        Password = string.IsNullOrEmpty(password) ? null : password;
        SslMode = sslMode;
    }

    public string Host { get; }

    public int Port { get; }

    public string Database { get; }

    public string Username { get; }

    /// <summary>libpq sslmode (disable, allow, prefer, require, verify-ca, verify-full); null leaves the default.</summary>
    public string? SslMode { get; }

    public bool HasPassword => Password is not null;

    [JsonIgnore]
    [XmlIgnore]
    internal string? Password { get; }

    /// <summary>"host:port" for messages; IPv6 literals in brackets.</summary>
    public string Endpoint => Host.Contains(':', StringComparison.Ordinal) && !Host.StartsWith('/')
        ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Builds settings like libpq would: explicit arguments win over the connection string, which wins over the
    /// PGHOST/PGPORT/PGUSER/PGDATABASE environment variables, which win over localhost:5432, the OS user name and
    /// a database named like the user. The connection string may be Npgsql style ("Host=..;Port=.."), libpq keyword
    /// style ("host=.. port=.. dbname=.. user=..") or a postgresql:// URI.
    /// </summary>
    public static PgConnectionSettings From(
        string? connectionString = null,
        string? host = null,
        int? port = null,
        string? database = null,
        string? username = null,
        string? password = null,
        string? sslMode = null) =>
        From(connectionString, host, port, database, username, password, sslMode, Environment.GetEnvironmentVariable);

    internal static PgConnectionSettings From(
        string? connectionString,
        string? host,
        int? port,
        string? database,
        string? username,
        string? password,
        string? sslMode,
        Func<string, string?> environment)
    {
        var parsed = string.IsNullOrWhiteSpace(connectionString)
            ? new ParsedConnectionString()
            : ConnectionStringParser.Parse(connectionString);

        var resolvedHost = FirstNonEmpty(host, parsed.Host, environment("PGHOST")) ?? DefaultHost;
        var resolvedPort = port ?? parsed.Port ?? ParsePort(environment("PGPORT")) ?? DefaultPort;
        var resolvedUser = FirstNonEmpty(username, parsed.Username, environment("PGUSER")) ?? Environment.UserName;
        var resolvedDatabase = FirstNonEmpty(database, parsed.Database, environment("PGDATABASE")) ?? resolvedUser;
        var resolvedSslMode = FirstNonEmpty(sslMode, parsed.SslMode);
        if (resolvedPort is < 1 or > 65535)
            throw new PgBackupException("InvalidPort", ErrorKind.InvalidArgument, $"Port {resolvedPort} is not between 1 and 65535.");
        if (resolvedSslMode is not null)
            resolvedSslMode = SslModes.Normalize(resolvedSslMode);

        return new PgConnectionSettings(
            resolvedHost, resolvedPort, resolvedDatabase, resolvedUser, password ?? parsed.Password, resolvedSslMode);
    }

    public PgConnectionSettings WithDatabase(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return new PgConnectionSettings(Host, Port, database, Username, Password, SslMode);
    }

    /// <summary>
    /// An Npgsql connection string. Without a password here, Npgsql falls back to PGPASSWORD, then PGPASSFILE or
    /// ~/.pgpass, the same order libpq uses.
    /// </summary>
    public string NpgsqlConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = Database,
            Username = Username,
            ApplicationName = ApplicationName,
            Timeout = ConnectTimeoutSeconds,
            // Size queries over big clusters can be slow; callers cancel through their token instead.
            CommandTimeout = 0,
            // A pooled connection outlives the database it points at: a restore that drops or renames a database
            // would hand a terminated connection to the next command. A cmdlet opens a handful, so no pool.
            Pooling = false,
        };
        if (Password is not null)
            builder.Password = Password;
        if (SslMode is not null)
            builder.SslMode = SslModes.ToNpgsql(SslMode);
        return builder.ConnectionString;
    }

    /// <summary>
    /// Environment for a libpq child (pg_dump, psql, ...) so no connection data is needed on its command line. With
    /// <paramref name="passFilePath"/> the child uses that file and an inherited PGPASSWORD is removed (a null value
    /// means "remove"); without it, libpq's own PGPASSWORD/PGPASSFILE/~/.pgpass/PGSERVICE handling applies unchanged.
    /// LC_MESSAGES=C keeps client messages in English so <see cref="PgErrorTranslator"/> can recognise them.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ChildEnvironment(string? passFilePath = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = Username,
            ["PGDATABASE"] = Database,
            ["PGAPPNAME"] = ApplicationName,
            ["PGCONNECT_TIMEOUT"] = ConnectTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["LC_MESSAGES"] = "C",
            // LC_ALL would override LC_MESSAGES.
            ["LC_ALL"] = null,
        };
        if (SslMode is not null)
            environment["PGSSLMODE"] = SslMode;
        if (passFilePath is not null)
        {
            environment["PGPASSFILE"] = passFilePath;
            environment["PGPASSWORD"] = null;
        }
        return environment;
    }

    public override string ToString()
    {
        var ssl = SslMode is null ? "" : $" sslmode={SslMode}";
        return $"{Username}@{Endpoint}/{Database}{ssl}";
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));

    private static int? ParsePort(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
}
