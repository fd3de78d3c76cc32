using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using Xunit;

namespace PgBackupTools.Tests.Postgres;

public class PgToolLocatorTests
{
    private const string Debian15Bin = "/usr/lib/postgresql/15/bin";

    [Theory]
    [InlineData(PgToolNames.PgDump)]
    [InlineData(PgToolNames.PgRestore)]
    [InlineData(PgToolNames.PgDumpAll)]
    [InlineData(PgToolNames.Psql)]
    [InlineData(PgToolNames.PgBaseBackup)]
    public async Task FindsVersion15Tools(string name)
    {
        var tool = await new PgToolLocator().FindAsync(name, 15);

        Assert.Equal(name, tool.Name);
        Assert.Equal(15, tool.Version.Major);
        Assert.Equal(Path.Combine(Debian15Bin, name), tool.Path);
        Assert.StartsWith($"{name} (PostgreSQL) 15.", tool.VersionText);
    }

    [Fact]
    public async Task AcceptsANewerToolForAnOlderServer()
    {
        var tool = await new PgToolLocator().FindAsync(PgToolNames.PgDump, 12);

        Assert.True(tool.Version.Major >= 12);
    }

    [Fact]
    public async Task RefusesAnOlderTool()
    {
        var locator = new PgToolLocator(null, _ => [new PgToolSearchDirectory(Debian15Bin, "test", 15)]);

        var error = await Assert.ThrowsAsync<PgBackupException>(() => locator.FindAsync(PgToolNames.PgDump, 99));

        Assert.Equal("PgToolTooOld", error.ErrorId);
        Assert.Equal(ErrorKind.NotInstalled, error.Kind);
        Assert.Contains("pg_dump 99 or newer", error.Message);
        Assert.Contains("15.", error.Message);
        Assert.Contains(Debian15Bin, error.Message);
    }

    [Fact]
    public async Task ReportsWhereItLookedWhenNothingIsFound()
    {
        var empty = Directory.CreateTempSubdirectory("pgbt-empty-");
        try
        {
            var locator = new PgToolLocator(empty.FullName, _ => [new PgToolSearchDirectory(empty.FullName, "test")]);

            var error = await Assert.ThrowsAsync<PgBackupException>(() => locator.FindAsync(PgToolNames.PgDump, 16));

            Assert.Equal("PgToolNotFound", error.ErrorId);
            Assert.Equal(ErrorKind.NotInstalled, error.Kind);
            Assert.Contains("pg_dump 16 or newer", error.Message);
            Assert.Contains(empty.FullName, error.Message);
            Assert.Contains("postgresql-client-16", error.Message);
            Assert.Contains("PGBACKUPTOOLS_PGBIN", error.Message);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ExplicitDirectoryIsSearchedFirst()
    {
        var tool = await new PgToolLocator(Debian15Bin).FindAsync(PgToolNames.Psql, 15);

        Assert.Equal(Path.Combine(Debian15Bin, "psql"), tool.Path);
    }

    [Fact]
    public void SearchPathPutsTheExactMajorBeforeOthers()
    {
        var directories = PgToolSearchPath.For("/explicit", 15);

        Assert.Equal("/explicit", directories[0].Path);
        Assert.Equal(Debian15Bin, directories[1].Path);
        Assert.Contains(directories, d => d.Source == "PATH");
    }

    [Theory]
    [InlineData("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", 15, 18)]
    [InlineData("psql (PostgreSQL) 17.2", 17, 2)]
    [InlineData("pg_dump (PostgreSQL) 18beta1", 18, 0)]
    [InlineData("pg_dump (PostgreSQL) 9.6.24", 9, 6)]
    public void ParsesVersionOutput(string output, int major, int minor)
    {
        Assert.True(PgToolVersionParser.TryParse(output + "\n", out var version, out var text));
        Assert.Equal(new Version(major, minor), version);
        Assert.Equal(output, text);
    }

    [Fact]
    public void RejectsOutputWithoutAVersion() =>
        Assert.False(PgToolVersionParser.TryParse("bash: pg_dump: command not found", out _, out _));
}
