using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using Xunit;

namespace PgBackupTools.Tests.Postgres;

public class PgPassFileTests
{
    [Fact]
    public void WritesAPrivateFileAndDeletesItOnDispose()
    {
        var settings = PgConnectionSettings.From(host: "db01", port: 6000, username: "backup", database: "app", password: "pw");
        string path;
        using (var passFile = PgPassFile.Create(settings))
        {
            path = passFile.Path!;
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                    File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            }
            Assert.Equal("db01:6000:*:backup:pw\n", File.ReadAllText(path));
            Assert.Equal(path, passFile.ChildEnvironment["PGPASSFILE"]);
            Assert.Null(passFile.ChildEnvironment["PGPASSWORD"]);
        }

        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void EscapesBackslashAndColon()
    {
        var settings = PgConnectionSettings.From(host: "db01", username: @"us:er", password: @"a:b\c'd ü");

        Assert.Equal(@"db01:5432:*:us\:er:a\:b\\c'd ü" + "\n", PgPassFile.Content(settings));
    }

    [Fact]
    public void UsesLocalhostForSocketDirectoriesAndOneLinePerHost()
    {
        var socket = PgConnectionSettings.From(host: "/var/run/postgresql", username: "u", password: "p");
        var hosts = PgConnectionSettings.From(host: "a,b", username: "u", password: "p");

        Assert.Equal("localhost:5432:*:u:p\n", PgPassFile.Content(socket));
        Assert.Equal("a:5432:*:u:p\nb:5432:*:u:p\n", PgPassFile.Content(hosts));
    }

    [Fact]
    public void WithoutPasswordWritesNothingAndLeavesLibpqLookupAlone()
    {
        var settings = PgConnectionSettings.From(host: "db01", username: "backup");

        using var passFile = PgPassFile.Create(settings);

        Assert.Null(passFile.Path);
        Assert.False(passFile.ChildEnvironment.ContainsKey("PGPASSFILE"));
        Assert.False(passFile.ChildEnvironment.ContainsKey("PGPASSWORD"));
        Assert.Equal("db01", passFile.ChildEnvironment["PGHOST"]);
    }

    [Fact]
    public void RefusesPasswordsWithLineBreaks()
    {
        var settings = PgConnectionSettings.From(host: "db01", username: "backup", password: "a\nb");

        var error = Assert.Throws<PgBackupException>(() => PgPassFile.Create(settings));

        Assert.Equal("UnsupportedPassword", error.ErrorId);
    }
}
