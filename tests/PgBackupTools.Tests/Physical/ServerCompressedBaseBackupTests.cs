using Npgsql;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Postgres.Libpq;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Tests.Infrastructure;
using Xunit;

namespace PgBackupTools.Tests.Physical;

/// <summary>BASE_BACKUP with server-side compression, received through libpq from the test server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ServerCompressedBaseBackupTests(PostgresServerFixture server) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgbt-sbb-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static LibpqLibrary Libpq()
    {
        var libpq = LibpqLibrary.TryLoad(null, out var reason);
        Assert.True(libpq is not null, "libpq must load on a machine with the PostgreSQL client tools: " + reason);
        return libpq!;
    }

    private async Task<(ServerBaseBackupOutcome Outcome, string File)> BackUpAsync(CompressionSettings compression, bool includeWal, CancellationToken cancellationToken = default, int? maxRate = null)
    {
        using var passFile = PgPassFile.Create(server.Settings);
        var name = "base.tar" + compression.FileSuffix;
        var options = new BaseBackupCommandOptions
        {
            Label = "xunit",
            Compression = compression,
            FastCheckpoint = true,
            IncludeWal = includeWal,
            MaxRateKilobytesPerSecond = maxRate,
        };
        var writer = StoredFileWriter.ForCompressedInput(_directory, name, "base", compression, null, 1 << 20);
        await using (writer)
        {
            var meter = new ProgressMeter(NullJobReporter.Instance, 1, "test", TimeProvider.System);
            var outcome = await new ServerCompressedBaseBackup(Libpq(), meter).RunAsync(
                LibpqConnectionInfo.Build(server.Settings, passFile.Path, "true"), options, writer, _directory, cancellationToken);
            return (outcome, Path.Combine(_directory, name));
        }
    }

    [Theory]
    [InlineData(CompressionAlgorithm.Zstd)]
    [InlineData(CompressionAlgorithm.Gzip)]
    [InlineData(CompressionAlgorithm.None)]
    public async Task The_server_compressed_archive_is_stored_as_sent_and_matches_its_manifest(CompressionAlgorithm algorithm)
    {
        var compression = CompressionSettings.Create(algorithm, algorithm == CompressionAlgorithm.Zstd ? 1 : null);

        var (outcome, file) = await BackUpAsync(compression, includeWal: true);

        Assert.True(outcome.Scan.IsConsistent, string.Join(" ", outcome.Scan.Problems));
        Assert.True(outcome.Scan.VerifiedChecksumCount > 500, $"only {outcome.Scan.VerifiedChecksumCount} checksums");
        Assert.True(outcome.Positions.End > outcome.Positions.Start);
        Assert.Equal(outcome.Scan.Label.StartLsn, outcome.Positions.Start);
        Assert.Equal(outcome.Positions.End, outcome.Scan.Manifest.WalRanges[^1].EndLsn);

        // Read back from disk the way a restore does: a fresh scan with the manifest that travelled beside the tar.
        var scanner = new BaseBackupScanner();
        var parser = new TarStreamParser(scanner);
        long plain = 0;
        await using (var reader = StoredFileReader.Open(_directory, outcome.File, null, "xunit"))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                parser.Feed(buffer.AsSpan(0, read));
                plain += read;
            }
        }

        parser.Complete();
        var again = scanner.Complete(outcome.Scan.ManifestBytes);
        Assert.True(again.IsConsistent, string.Join(" ", again.Problems));
        Assert.Equal(outcome.File.PlainBytes, plain);
        // PROGRESS: the server's estimate counts the files it lists with their tar headers, not the WAL that WAL true
        // adds at the end; so it lies between the listed files' bytes and the whole tar.
        Assert.InRange(outcome.EstimatedBytes, outcome.Scan.Manifest.Files.Sum(f => f.Size), plain);
        Assert.Equal(outcome.Scan.FileCount, again.FileCount);
        Assert.Contains(outcome.Scan.Manifest.Files, f => f.Path == "global/pg_control");
        Assert.True(again.FileCount > 0 && new FileInfo(file).Length == outcome.File.SizeBytes);
        if (algorithm != CompressionAlgorithm.None)
        {
            Assert.True(outcome.File.SizeBytes * 2 < plain, $"{outcome.File.SizeBytes} bytes stored for {plain}: not compressed");
        }
    }

    [Fact]
    public async Task Cancelling_ends_the_backup_on_the_server_too()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => BackUpAsync(CompressionSettings.Create(CompressionAlgorithm.Zstd, 1), includeWal: false, cancel.Token, maxRate: 32));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        long running;
        do
        {
            running = await server.ScalarAsync<long>("postgres", "SELECT count(*) FROM pg_stat_progress_basebackup");
            if (running == 0)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(0, running);
    }

    [Fact]
    public void Libpq_lists_the_environment_variables_of_its_keywords()
    {
        var keywords = Libpq().EnvironmentKeywords;

        Assert.Contains(("password", "PGPASSWORD"), keywords);
        Assert.Contains(("sslrootcert", "PGSSLROOTCERT"), keywords);
        Assert.Contains(("passfile", "PGPASSFILE"), keywords);
    }

    [Fact]
    public void A_password_set_only_in_the_dotnet_environment_reaches_libpq_as_it_would_reach_a_child()
    {
        // As pwsh's $env:PGPASSWORD = ... does: .NET's copy of the environment changes, the native one does not.
        var noPassword = PgConnectionSettings.From(host: server.Host, port: server.Port, database: "postgres", username: server.Username);
        var libpq = Libpq();
        var previous = Environment.GetEnvironmentVariable("PGPASSWORD");
        Environment.SetEnvironmentVariable("PGPASSWORD", server.Password);
        try
        {
            using var connection = LibpqConnection.Open(libpq, LibpqConnectionInfo.Build(noPassword, null, "true", libpq.EnvironmentKeywords));
            Assert.Equal(server.ServerMajorVersion, connection.ServerVersion / 10000);

            var withoutMapping = Assert.Throws<LibpqException>(() => LibpqConnection.Open(libpq, LibpqConnectionInfo.Build(noPassword, null, "true")));
            Assert.Contains("password", withoutMapping.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", previous);
        }
    }

    [Fact]
    public void A_wrong_password_is_AuthenticationFailed_without_the_password()
    {
        var wrong = PgConnectionSettings.From(host: server.Host, port: server.Port, database: "postgres", username: server.Username, password: "not the 'password'");
        using var passFile = PgPassFile.Create(wrong);

        var failure = Assert.Throws<LibpqException>(() => LibpqConnection.Open(Libpq(), LibpqConnectionInfo.Build(wrong, passFile.Path, "true")));
        var error = PgErrorTranslator.FromLibpq("BASE_BACKUP", failure.Message, failure.SqlState, wrong);

        Assert.Equal(PgErrorIds.AuthenticationFailed, error.ErrorId);
        Assert.DoesNotContain("not the", error.Message, StringComparison.Ordinal);
    }
}
