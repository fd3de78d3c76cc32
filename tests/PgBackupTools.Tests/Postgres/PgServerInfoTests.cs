using PgBackupTools.Engine.Postgres;
using PgBackupTools.Tests.Infrastructure;
using Xunit;

namespace PgBackupTools.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public class PgServerInfoTests(PostgresServerFixture server)
{
    [Fact]
    public async Task DescribesTheServer()
    {
        var database = await server.CreateDatabaseAsync("info");

        var info = await PgServerInfo.QueryAsync(server.Settings.WithDatabase(database));

        Assert.Equal(15, info.Major);
        Assert.Equal(server.ServerMajorVersion, info.Major);
        Assert.Equal(info.Major * 10000 + info.Minor, info.VersionNumber);
        Assert.StartsWith("PostgreSQL 15.", info.VersionText);
        Assert.Equal(database, info.Database);
        Assert.True(info.DatabaseSizeBytes > 1_000_000);
        Assert.True(info.IsSuperuser);
        Assert.False(info.IsInRecovery);
        Assert.Matches("^[0-9]+$", info.SystemIdentifier);
        Assert.NotNull(info.DataDirectory);
    }

    [Fact]
    public async Task HidesWhatAnOrdinaryRoleMayNotRead()
    {
        var role = "r_" + Guid.NewGuid().ToString("N")[..8];
        await server.ExecuteAsync("postgres", $"CREATE ROLE {role} LOGIN PASSWORD 'rpw'");
        var asRole = PgConnectionSettings.From(host: server.Host, port: server.Port, database: "postgres", username: role, password: "rpw");

        var info = await PgServerInfo.QueryAsync(asRole);

        Assert.False(info.IsSuperuser);
        Assert.Null(info.DataDirectory);
        Assert.Equal(15, info.Major);
    }

    [Theory]
    [InlineData(150004, 15, 4)]
    [InlineData(170000, 17, 0)]
    [InlineData(90624, 9, 6)]
    public void SplitsVersionNumbers(int number, int major, int minor) =>
        Assert.Equal((major, minor), PgServerInfo.SplitVersionNumber(number));
}
