using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Postgres.Libpq;
using Xunit;

namespace PgBackupTools.Tests.Postgres;

public sealed class LibpqConnectionInfoTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("with space", "'with space'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData("", "''")]
    public void Quotes_values_as_libpq_reads_them(string value, string expected)
    {
        Assert.Equal(expected, LibpqConnectionInfo.Quote(value));
    }

    [Fact]
    public void Carries_the_settings_and_the_password_file_never_the_password()
    {
        var settings = PgConnectionSettings.From(host: "db's host", port: 6543, database: "shop", username: @"ba\ckup", password: "s3cret 'pw'", sslMode: "require");

        var info = LibpqConnectionInfo.Build(settings, "/tmp/x y/pgpass", replication: "true");

        Assert.Equal(
            @"host='db\'s host' port='6543' user='ba\\ckup' dbname='shop' application_name='PgBackupTools' connect_timeout='15' sslmode='require' passfile='/tmp/x y/pgpass' password='' replication='true'",
            info);
        Assert.DoesNotContain("s3cret", info, StringComparison.Ordinal);
    }

    [Fact]
    public void Takes_what_the_environment_sets_for_keywords_the_settings_leave_open()
    {
        var settings = PgConnectionSettings.From(host: "h", port: 5432, database: "d", username: "u");
        var environment = new Dictionary<string, string>
        {
            ["PGSSLROOTCERT"] = "/etc/ssl/root's.crt",
            ["PGHOST"] = "elsewhere",
            ["PGPASSWORD"] = "from env",
        };
        (string, string)[] keywords = [("host", "PGHOST"), ("sslrootcert", "PGSSLROOTCERT"), ("password", "PGPASSWORD"), ("sslcrl", "PGSSLCRL")];

        var info = LibpqConnectionInfo.Build(settings, null, "true", keywords, v => environment.GetValueOrDefault(v));

        Assert.EndsWith(@"replication='true' sslrootcert='/etc/ssl/root\'s.crt' password='from env'", info, StringComparison.Ordinal);
        Assert.DoesNotContain("elsewhere", info, StringComparison.Ordinal);
        Assert.DoesNotContain("sslcrl", info, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_password_file_a_password_in_the_environment_is_not_used()
    {
        var settings = PgConnectionSettings.From(host: "h", port: 5432, database: "d", username: "u", password: "pw");

        var info = LibpqConnectionInfo.Build(settings, "/tmp/pgpass", null, [("password", "PGPASSWORD")], _ => "from env");

        Assert.Contains("passfile='/tmp/pgpass' password=''", info, StringComparison.Ordinal);
        Assert.DoesNotContain("from env", info, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_password_file_or_replication_neither_is_named()
    {
        var settings = PgConnectionSettings.From(host: "localhost", port: 5432, database: "postgres", username: "u");

        var info = LibpqConnectionInfo.Build(settings, null, null);

        Assert.DoesNotContain("passfile", info, StringComparison.Ordinal);
        Assert.DoesNotContain("replication", info, StringComparison.Ordinal);
        Assert.DoesNotContain("sslmode", info, StringComparison.Ordinal);
    }
}
