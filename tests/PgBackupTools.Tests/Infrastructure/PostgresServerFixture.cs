using Npgsql;
using PgBackupTools.Engine.Postgres;
using Xunit;

namespace PgBackupTools.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for every test in the "postgres" collection: a postgres:15 container when a Docker engine
/// answers, otherwise a throwaway local cluster. The superuser password deliberately holds quotes, spaces, a colon,
/// a backslash and non-ASCII letters, so every test exercises password escaping. No server at all is an error, never
/// a silent skip.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string SuperuserName = "postgres";
    public const string SuperuserPassword = "pa'ss \"wörd\" ü:\\x";

    private ITestPostgresServer? _server;
    private int _databaseCounter;

    public string Host => Server.Host;

    public int Port => Server.Port;

    public string Username => SuperuserName;

    public string Password => SuperuserPassword;

    public int ServerMajorVersion { get; private set; }

    /// <summary>Bin directory of a local cluster's server binaries; null when the server runs in a container.</summary>
    public string? BinDirectory => Server.BinDirectory;

    /// <summary>Superuser settings for the "postgres" database.</summary>
    public PgConnectionSettings Settings { get; private set; } = null!;

    public string Description => Server.Description;

    private ITestPostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    public async Task InitializeAsync()
    {
        if (await DockerProbe.EngineAnswersAsync())
        {
            _server = await ContainerPostgresServer.StartAsync(SuperuserName, SuperuserPassword);
        }
        else
        {
            var binDirectory = LocalPostgresCluster.FindBinDirectory() ?? throw new InvalidOperationException(
                "No PostgreSQL server for the tests: no Docker engine answers and no server binaries were found " +
                "(looked at PG_BIN and /usr/lib/postgresql/<N>/bin). Start Docker, install postgresql-15, or set PG_BIN.");
            _server = await LocalPostgresCluster.StartAsync(binDirectory, SuperuserName, SuperuserPassword);
        }

        Settings = PgConnectionSettings.From(
            host: Host, port: Port, database: "postgres", username: SuperuserName, password: SuperuserPassword);
        var versionNumber = await ScalarAsync<string>("postgres", "SHOW server_version_num");
        ServerMajorVersion = int.Parse(versionNumber!, System.Globalization.CultureInfo.InvariantCulture) / 10000;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
            await _server.DisposeAsync();
    }

    /// <summary>Creates an empty database with a fresh name and returns the name.</summary>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var safePrefix = new string((prefix ?? "test").ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').ToArray());
        if (safePrefix.Length is 0 or > 30)
            safePrefix = safePrefix.Length == 0 ? "test" : safePrefix[..30];
        var name = $"{safePrefix}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid():N}"[..Math.Min(63, safePrefix.Length + 20)];
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{name}\"");
        return name;
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T?> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    private async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var connection = new NpgsqlConnection(Settings.WithDatabase(database).NpgsqlConnectionString());
        await connection.OpenAsync();
        return connection;
    }
}
