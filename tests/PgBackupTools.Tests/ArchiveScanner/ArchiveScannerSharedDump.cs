using PgBackupTools.Tests.Infrastructure;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>
/// Builds the test database and dumps it once per server, since xUnit makes a new test-class instance per test
/// and every test only reads the result.
/// </summary>
internal static class ArchiveScannerSharedDump
{
    private static readonly Lock Gate = new();
    private static (PostgresServerFixture Server, Task<(string Database, byte[] Archive)> Dump)? _cached;

    public static Task<(string Database, byte[] Archive)> GetAsync(PostgresServerFixture server)
    {
        lock (Gate)
        {
            if (_cached is not { } cached || !ReferenceEquals(cached.Server, server) || cached.Dump.IsFaulted)
                _cached = cached = (server, CreateAsync(server));
            return cached.Dump;
        }
    }

    private static async Task<(string, byte[])> CreateAsync(PostgresServerFixture server)
    {
        var database = await server.CreateDatabaseAsync("archive_scanner");
        await server.ExecuteAsync(database, ArchiveScannerTestDatabase.Setup);
        return (database, await ArchiveScannerPgDump.DumpAsync(server, database));
    }
}
