using System.Text.Json;
using Npgsql;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using Xunit;

namespace PgBackupTools.Tests.Postgres;

public class PgConnectionSettingsTests
{
    private const string Secret = "s3cr:et\\ 'pw'";

    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void DefaultsLikeLibpq()
    {
        var settings = PgConnectionSettings.From(null, null, null, null, null, null, null, NoEnvironment);

        Assert.Equal("localhost", settings.Host);
        Assert.Equal(5432, settings.Port);
        Assert.Equal(Environment.UserName, settings.Username);
        Assert.Equal(Environment.UserName, settings.Database);
        Assert.False(settings.HasPassword);
    }

    [Fact]
    public void ReadsPgEnvironmentVariables()
    {
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = "envhost", ["PGPORT"] = "6543", ["PGUSER"] = "envuser", ["PGDATABASE"] = "envdb",
        };

        var settings = PgConnectionSettings.From(null, null, null, null, null, null, null, environment.GetValueOrDefault);

        Assert.Equal(("envhost", 6543, "envuser", "envdb"), (settings.Host, settings.Port, settings.Username, settings.Database));
    }

    [Fact]
    public void ExplicitValuesWinOverConnectionStringAndEnvironment()
    {
        var settings = PgConnectionSettings.From(
            "host=cshost port=1111 dbname=csdb user=csuser", "arghost", 2222, null, null, null, null, _ => "env");

        Assert.Equal(("arghost", 2222, "csuser", "csdb"), (settings.Host, settings.Port, settings.Username, settings.Database));
    }

    [Theory]
    [InlineData("Host=db01;Port=5433;Database=app;Username=backup;Password=pw;SSL Mode=Require")]
    [InlineData("Server=db01;Port=5433;Database=app;User ID=backup;Password=pw;SslMode=Require")]
    [InlineData("host=db01 port=5433 dbname=app user=backup password=pw sslmode=require")]
    [InlineData("host = db01  port= 5433 dbname ='app' user=backup password='pw' sslmode=require application_name=x")]
    [InlineData("postgresql://backup:pw@db01:5433/app?sslmode=require")]
    [InlineData("postgres://backup:pw@db01:5433/app?sslmode=require&application_name=x")]
    public void ParsesAllConnectionStringStyles(string connectionString)
    {
        var settings = PgConnectionSettings.From(connectionString, null, null, null, null, null, null, NoEnvironment);

        Assert.Equal(("db01", 5433, "app", "backup", "require"),
            (settings.Host, settings.Port, settings.Database, settings.Username, settings.SslMode));
        Assert.Equal("pw", settings.Password);
    }

    [Fact]
    public void ParsesLibpqQuotingAndEscapes()
    {
        var settings = PgConnectionSettings.From(@"host=h user=u password='a b\'c\\d;e=f'", null, null, null, null, null, null, NoEnvironment);

        Assert.Equal(@"a b'c\d;e=f", settings.Password);
    }

    [Fact]
    public void ParsesUriPercentEncodingIpv6AndSocketHosts()
    {
        var ipv6 = PgConnectionSettings.From("postgresql://us%40er:p%3Aw%2F@[::1]:6000/my%20db", null, null, null, null, null, null, NoEnvironment);
        var socket = PgConnectionSettings.From("postgresql://%2Fvar%2Frun%2Fpostgresql/app", null, null, null, null, null, null, NoEnvironment);

        Assert.Equal(("::1", 6000, "us@er", "my db", "p:w/"), (ipv6.Host, ipv6.Port, ipv6.Username, ipv6.Database, ipv6.Password));
        Assert.Equal("[::1]:6000", ipv6.Endpoint);
        Assert.Equal(("/var/run/postgresql", "app"), (socket.Host, socket.Database));
    }

    [Fact]
    public void NpgsqlStylePortAbsentFallsBackToEnvironment()
    {
        var settings = PgConnectionSettings.From("Host=db01", null, null, null, null, null, null, name => name == "PGPORT" ? "6000" : null);

        Assert.Equal(6000, settings.Port);
    }

    [Theory]
    [InlineData("host=h sslcert=/x")]
    [InlineData("postgresql://h/db?service=x")]
    public void RejectsOptionsThatWouldBeIgnored(string connectionString)
    {
        var error = Assert.Throws<PgBackupException>(() => PgConnectionSettings.From(connectionString));

        Assert.Equal("UnsupportedConnectionOption", error.ErrorId);
    }

    [Fact]
    public void InvalidConnectionStringNamesNoValue()
    {
        var error = Assert.Throws<PgBackupException>(() => PgConnectionSettings.From("Host=h;Password=" + Secret + ";Bogus=1"));

        Assert.Equal("InvalidConnectionString", error.ErrorId);
        Assert.DoesNotContain(Secret, error.Message);
    }

    [Fact]
    public void PasswordIsNeverPrintedOrSerialised()
    {
        var settings = PgConnectionSettings.From(host: "db01", username: "backup", database: "app", password: Secret);

        Assert.Equal("backup@db01:5432/app", settings.ToString());
        var json = JsonSerializer.Serialize(settings);
        Assert.DoesNotContain("s3cr", json);
        Assert.Contains("db01", json);
        Assert.True(settings.HasPassword);
        Assert.DoesNotContain(typeof(PgConnectionSettings).GetProperties(), p => p.Name == "Password");
    }

    [Fact]
    public void BuildsNpgsqlConnectionString()
    {
        var settings = PgConnectionSettings.From(host: "db01", port: 6000, username: "backup", database: "app", password: Secret, sslMode: "verify-full");

        var builder = new NpgsqlConnectionStringBuilder(settings.NpgsqlConnectionString());

        Assert.Equal(("db01", 6000, "app", "backup", Secret), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
        Assert.Equal("PgBackupTools", builder.ApplicationName);
        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.True(builder.Timeout > 0);
    }

    [Fact]
    public void WithDatabaseKeepsEverythingElse()
    {
        var settings = PgConnectionSettings.From(host: "db01", username: "backup", database: "app", password: Secret).WithDatabase("other");

        Assert.Equal(("db01", "backup", "other", Secret), (settings.Host, settings.Username, settings.Database, settings.Password));
    }

    [Fact]
    public void ChildEnvironmentCarriesConnectionButNoPassword()
    {
        var settings = PgConnectionSettings.From(host: "db01", port: 6000, username: "backup", database: "app", password: Secret);

        var withoutFile = settings.ChildEnvironment();
        var withFile = settings.ChildEnvironment("/tmp/x/pgpass");

        Assert.Equal("db01", withoutFile["PGHOST"]);
        Assert.Equal("6000", withoutFile["PGPORT"]);
        Assert.Equal("backup", withoutFile["PGUSER"]);
        Assert.Equal("app", withoutFile["PGDATABASE"]);
        Assert.False(withoutFile.ContainsKey("PGPASSWORD"));
        Assert.False(withoutFile.ContainsKey("PGPASSFILE"));
        Assert.Equal("/tmp/x/pgpass", withFile["PGPASSFILE"]);
        Assert.True(withFile.ContainsKey("PGPASSWORD"));
        Assert.Null(withFile["PGPASSWORD"]);
        Assert.DoesNotContain(withFile.Values, v => v is not null && v.Contains("s3cr"));
    }
}
