using System.Net.Sockets;
using Npgsql;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using Xunit;

namespace PgBackupTools.Tests.Postgres;

public class PgErrorTranslatorTests
{
    private const string Password = "Sup3r:Secret";

    private static readonly PgConnectionSettings Settings =
        PgConnectionSettings.From(host: "db01", port: 5432, database: "app", username: "backup", password: Password);

    [Theory]
    [InlineData("pg_dump: error: connection to server at \"db01\" (10.0.0.1), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?", "ServerUnreachable", ErrorKind.ConnectionError)]
    [InlineData("psql: error: connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: No such file or directory", "ServerUnreachable", ErrorKind.ConnectionError)]
    [InlineData("pg_dump: error: could not translate host name \"db01\" to address: Name or service not known", "ServerUnreachable", ErrorKind.ConnectionError)]
    [InlineData("pg_dump: error: connection to server at \"db01\" (10.0.0.1), port 5432 failed: FATAL:  password authentication failed for user \"backup\"", "AuthenticationFailed", ErrorKind.AuthenticationError)]
    [InlineData("pg_dump: error: connection to server at \"db01\" (10.0.0.1), port 5432 failed: fe_sendauth: no password supplied", "AuthenticationFailed", ErrorKind.AuthenticationError)]
    [InlineData("pg_dump: error: connection to server at \"db01\" (10.0.0.1), port 5432 failed: FATAL:  no pg_hba.conf entry for host \"10.0.0.2\", user \"backup\", database \"app\", no encryption", "AuthenticationFailed", ErrorKind.AuthenticationError)]
    [InlineData("pg_dump: error: connection to server at \"db01\" (10.0.0.1), port 5432 failed: FATAL:  database \"app\" does not exist", "DatabaseNotFound", ErrorKind.ObjectNotFound)]
    [InlineData("pg_dump: error: connection to server at \"db01\" (10.0.0.1), port 5432 failed: timeout expired", "ServerTimeout", ErrorKind.ConnectionError)]
    [InlineData("pg_dump: error: query failed: ERROR:  permission denied for table secret", "PermissionDenied", ErrorKind.PermissionDenied)]
    [InlineData("pg_dump: error: could not open output file \"/x/y\": No such file or directory", "PgToolFailed", ErrorKind.NotSpecified)]
    [InlineData("pg_restore: error: could not execute query: ERROR:  role \"bob\" does not exist", "PgToolFailed", ErrorKind.NotSpecified)]
    public void RecognisesToolErrors(string stderr, string errorId, ErrorKind kind)
    {
        var error = PgErrorTranslator.FromToolOutput("pg_dump", 1, stderr, Settings);

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public void DatabaseNotFoundNamesTheDatabaseFromStderr()
    {
        var error = PgErrorTranslator.FromToolOutput("pg_dump", 1, "FATAL:  database \"other\" does not exist", Settings);

        Assert.Equal("Database 'other' does not exist on db01:5432. Check -Database.", error.Message);
    }

    [Fact]
    public void UnrecognisedToolOutputIsQuotedWithThePasswordRedacted()
    {
        var error = PgErrorTranslator.FromToolOutput("pg_dump", 2, $"line1\nsomething odd with {Password} in it\n", Settings);

        Assert.Equal("PgToolFailed", error.ErrorId);
        Assert.Contains("exit code 2", error.Message);
        Assert.Contains("something odd", error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    [Fact]
    public void TranslatesSocketErrors()
    {
        var refused = PgErrorTranslator.Translate(
            new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)), Settings);
        var timedOut = PgErrorTranslator.Translate(new NpgsqlException("Exception while connecting", new TimeoutException()), Settings);

        Assert.Equal("ServerUnreachable", refused.ErrorId);
        Assert.Equal("Could not connect to db01:5432: connection refused. Check that the server is running and -Host/-Port.", refused.Message);
        Assert.Equal("ServerTimeout", timedOut.ErrorId);
    }

    [Fact]
    public void DropsInnerExceptionsThatContainThePassword()
    {
        var error = PgErrorTranslator.Translate(new NpgsqlException($"bad {Password}"), Settings);

        Assert.Null(error.InnerException);
        Assert.DoesNotContain(Password, error.Message);
    }
}
