using Testcontainers.PostgreSql;

namespace PgBackupTools.Tests.Infrastructure;

/// <summary>PostgreSQL 15 in a Docker container via Testcontainers.</summary>
internal sealed class ContainerPostgresServer : ITestPostgresServer
{
    private const string Image = "postgres:15";

    private readonly PostgreSqlContainer _container;

    private ContainerPostgresServer(PostgreSqlContainer container) => _container = container;

    public string Host => _container.Hostname;

    public int Port => _container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort);

    public string? BinDirectory => null;

    public string Description => $"container {Image}";

    public static async Task<ContainerPostgresServer> StartAsync(string superuser, string password)
    {
        var container = new PostgreSqlBuilder(Image)
            .WithUsername(superuser)
            .WithPassword(password)
            .WithDatabase("postgres")
            .Build();
        await container.StartAsync();
        return new ContainerPostgresServer(container);
    }

    public ValueTask DisposeAsync() => _container.DisposeAsync();
}
