using Npgsql;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Tests.Infrastructure;
using Xunit;

namespace PgBackupTools.Tests.Postgres;

/// <summary>Connection settings, password files and error translation against a real server.</summary>
[Collection(PostgresCollection.Name)]
public class PostgresConnectionTests(PostgresServerFixture server)
{
    [Fact]
    public async Task PsqlConnectsWithOnlyThePassFileEnvironment()
    {
        var psql = await new PgToolLocator().FindAsync(PgToolNames.Psql, server.ServerMajorVersion);
        using var passFile = PgPassFile.Create(server.Settings);

        var result = await RunPsqlAsync(psql, passFile, "SELECT current_user || '@' || current_database()");

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal("postgres@postgres", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task PgDumpConnectsWithThePassFile()
    {
        var database = await server.CreateDatabaseAsync("dump");
        await server.ExecuteAsync(database, "CREATE TABLE t (id int); INSERT INTO t VALUES (42);");
        var pgDump = await new PgToolLocator().FindAsync(PgToolNames.PgDump, server.ServerMajorVersion);
        using var passFile = PgPassFile.Create(server.Settings.WithDatabase(database));

        var result = await ChildProcess.RunToCompletionAsync(
            new ChildProcessOptions(pgDump.Path, ["--no-password", "--table=t", "--data-only", "--inserts"])
            {
                Environment = passFile.ChildEnvironment,
            });

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("INSERT INTO public.t VALUES (42);", result.StandardOutput);
    }

    [Fact]
    public async Task WrongPasswordInPassFileIsAuthenticationFailedFromStderr()
    {
        var psql = await new PgToolLocator().FindAsync(PgToolNames.Psql, server.ServerMajorVersion);
        var wrong = WithPassword("wrong-" + server.Password);
        using var passFile = PgPassFile.Create(wrong);

        var result = await RunPsqlAsync(psql, passFile, "SELECT 1");
        var error = PgErrorTranslator.FromToolOutput("psql", result.ExitCode, result.StandardError, wrong);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("AuthenticationFailed", error.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, error.Kind);
        Assert.DoesNotContain("wrong-", error.Message);
    }

    [Fact]
    public async Task NpgsqlConnectsWithTheOddPassword()
    {
        await using var connection = new NpgsqlConnection(server.Settings.NpgsqlConnectionString());
        await connection.OpenAsync();

        Assert.Equal("PgBackupTools", connection.PostgresParameters["application_name"]);
    }

    [Fact]
    public async Task WrongPasswordIsAuthenticationFailed()
    {
        var wrong = WithPassword("wrong-" + server.Password);

        var error = await Assert.ThrowsAsync<PgBackupException>(() => PgServerInfo.QueryAsync(wrong));

        Assert.Equal("AuthenticationFailed", error.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, error.Kind);
        Assert.Equal($"Authentication failed for user 'postgres' on {server.Host}:{server.Port}. Check the credential or PGPASSFILE.", error.Message);
        for (Exception? e = error; e is not null; e = e.InnerException)
            Assert.DoesNotContain("wrong-", e.Message);
    }

    [Fact]
    public async Task ClosedPortIsServerUnreachable()
    {
        var closed = PgConnectionSettings.From(host: "127.0.0.1", port: FreeTcpPort.Find(), username: "postgres", password: "x");

        var error = await Assert.ThrowsAsync<PgBackupException>(() => PgServerInfo.QueryAsync(closed));

        Assert.Equal("ServerUnreachable", error.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, error.Kind);
        Assert.Equal($"Could not connect to 127.0.0.1:{closed.Port}: connection refused. Check that the server is running and -Host/-Port.", error.Message);
    }

    [Fact]
    public async Task ClosedPortIsServerUnreachableFromStderr()
    {
        var psql = await new PgToolLocator().FindAsync(PgToolNames.Psql, server.ServerMajorVersion);
        var closed = PgConnectionSettings.From(host: "127.0.0.1", port: FreeTcpPort.Find(), username: "postgres", password: "x");
        using var passFile = PgPassFile.Create(closed);

        var result = await RunPsqlAsync(psql, passFile, "SELECT 1");
        var error = PgErrorTranslator.FromToolOutput("psql", result.ExitCode, result.StandardError, closed);

        Assert.Equal("ServerUnreachable", error.ErrorId);
        Assert.Contains("connection refused", error.Message);
    }

    [Fact]
    public async Task MissingDatabaseIsDatabaseNotFound()
    {
        var missing = server.Settings.WithDatabase("no_such_db_" + Guid.NewGuid().ToString("N")[..8]);

        var error = await Assert.ThrowsAsync<PgBackupException>(() => PgServerInfo.QueryAsync(missing));

        Assert.Equal("DatabaseNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
        Assert.Contains(missing.Database, error.Message);
    }

    [Fact]
    public async Task MissingDatabaseIsDatabaseNotFoundFromStderr()
    {
        var psql = await new PgToolLocator().FindAsync(PgToolNames.Psql, server.ServerMajorVersion);
        var missing = server.Settings.WithDatabase("no_such_db_" + Guid.NewGuid().ToString("N")[..8]);
        using var passFile = PgPassFile.Create(missing);

        var result = await RunPsqlAsync(psql, passFile, "SELECT 1");
        var error = PgErrorTranslator.FromToolOutput("psql", result.ExitCode, result.StandardError, missing);

        Assert.Equal("DatabaseNotFound", error.ErrorId);
        Assert.Contains(missing.Database, error.Message);
    }

    [Fact]
    public async Task MissingPrivilegeIsPermissionDenied()
    {
        var database = await server.CreateDatabaseAsync("perm");
        var role = "r_" + Guid.NewGuid().ToString("N")[..8];
        await server.ExecuteAsync(database, $"CREATE ROLE {role} LOGIN PASSWORD 'rpw'; CREATE TABLE secret (x int);");
        var asRole = PgConnectionSettings.From(host: server.Host, port: server.Port, database: database, username: role, password: "rpw");

        var error = await Assert.ThrowsAsync<PgBackupException>(async () =>
        {
            await using var connection = new NpgsqlConnection(asRole.NpgsqlConnectionString());
            try
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT * FROM secret", connection);
                await command.ExecuteScalarAsync();
            }
            catch (NpgsqlException ex)
            {
                throw PgErrorTranslator.Translate(ex, asRole);
            }
        });

        Assert.Equal("PermissionDenied", error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("secret", error.Message);
    }

    // Documents that Npgsql, like libpq, reads PGPASSWORD and PGPASSFILE when the settings carry no password.
    [Theory]
    [InlineData("PGPASSFILE")]
    [InlineData("PGPASSWORD")]
    public async Task NpgsqlFallsBackToLibpqPasswordVariables(string variable)
    {
        using var passFile = PgPassFile.Create(server.Settings);
        var withoutPassword = PgConnectionSettings.From(host: server.Host, port: server.Port, database: "postgres", username: server.Username);
        var previous = Environment.GetEnvironmentVariable(variable);
        Environment.SetEnvironmentVariable(variable, variable == "PGPASSFILE" ? passFile.Path : server.Password);
        try
        {
            var info = await PgServerInfo.QueryAsync(withoutPassword);
            Assert.Equal(server.ServerMajorVersion, info.Major);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, previous);
        }
    }

    private PgConnectionSettings WithPassword(string password) =>
        PgConnectionSettings.From(host: server.Host, port: server.Port, database: "postgres", username: server.Username, password: password);

    private static Task<ChildProcessResult> RunPsqlAsync(PgTool psql, PgPassFile passFile, string sql) =>
        ChildProcess.RunToCompletionAsync(new ChildProcessOptions(psql.Path, ["-X", "--no-password", "-At", "-c", sql])
        {
            Environment = passFile.ChildEnvironment,
        });
}
