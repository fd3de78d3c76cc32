namespace PgBackupTools.Tests.Infrastructure;

/// <summary>A throwaway PostgreSQL server for tests: a Docker container or a local initdb cluster.</summary>
internal interface ITestPostgresServer : IAsyncDisposable
{
    string Host { get; }

    int Port { get; }

    /// <summary>The server's bin directory when it runs locally; null for a container.</summary>
    string? BinDirectory { get; }

    string Description { get; }
}
