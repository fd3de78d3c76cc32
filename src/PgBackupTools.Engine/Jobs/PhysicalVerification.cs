using System.Globalization;
using Npgsql;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Test-PgBackup for a physical backup. Checksum: every stored file, and every WAL segment from the backup's
/// start to its stop fetched and verified. Structure: the tar read back, every file's CRC32C against
/// PostgreSQL's backup_manifest. Restore: the backup restored into a temporary folder, recovered to consistency
/// on a private socket, every database opened and its B-tree indexes checked with amcheck, then removed.
/// </summary>
internal sealed class PhysicalVerification(JobContext context, RepositorySession repository, StoredBackup stored, DataKey? dataKey, ILogger logger)
{
    private const int BufferSize = 1 << 20;
    private PhysicalFacts Facts => stored.Manifest.Physical!;

    public async Task AddChecksAsync(VerificationRequest request, VerificationLevel level, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        checks.Add(await CheckTimer.RunAsync("WAL to consistency", context.Time, () => CheckWalAsync(cancellationToken)).ConfigureAwait(false));
        if (level == VerificationLevel.Checksum || checks.Any(c => c.Status != VerificationStatus.Passed))
        {
            return;
        }

        checks.Add(await CheckTimer.RunAsync("base backup contents", context.Time, () => CheckContentsAsync(cancellationToken)).ConfigureAwait(false));
        if (level == VerificationLevel.Restore && checks[^1].Status == VerificationStatus.Passed)
        {
            await TrialRecoveryAsync(request, checks, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> CheckWalAsync(CancellationToken cancellationToken)
    {
        if (Facts.IncludesWal)
        {
            return "the WAL to consistency is inside the backup (pg_wal/), checked with it";
        }

        using var archive = WalArchive.Open(repository, Facts.SystemId());
        var size = Facts.WalSegmentSize;
        var (first, last) = Facts.WalSegments();
        var scratch = Path.Combine(Path.GetTempPath(), "pgbt-walcheck-" + Guid.NewGuid().ToString("N"));
        try
        {
            for (var segment = first; segment <= last; segment++)
            {
                var name = WalFileName.Segment(Facts.Timeline, segment, size);
                var found = await WalFetch.FetchAsync(archive, name.Name, scratch, cancellationToken).ConfigureAwait(false);
                if (found != WalFetchResult.Restored)
                {
                    throw new IntegrityException(IntegrityFailure.MissingFile, $"wal/{Facts.SystemIdentifier}/{name.DirectoryKey}/{name.Name}",
                        $"WAL segment {name.Name}, which backup {stored.Manifest.Id} needs to become consistent, is missing from the archive: the backup cannot be restored.");
                }
            }
        }
        finally
        {
            File.Delete(scratch);
        }

        return $"{last - first + 1} segment(s) {WalFileName.Segment(Facts.Timeline, first, size)} to {WalFileName.Segment(Facts.Timeline, last, size)} present, authenticated and matching their names";
    }

    private async Task<string> CheckContentsAsync(CancellationToken cancellationToken)
    {
        var scanner = new BaseBackupScanner();
        var parser = new TarStreamParser(scanner);
        await using (var reader = StoredFileReader.Open(stored.Directory, stored.RequireFile("base"), dataKey, stored.Manifest.Id))
        {
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                parser.Feed(buffer.AsSpan(0, read));
            }
        }

        parser.Complete();
        // The stored backup_manifest is the authority: a server-compressed backup has no other, and a tar that holds
        // one as well must hold the same.
        var scan = scanner.Complete(await stored.ReadAllAsync("pgmanifest", dataKey, cancellationToken).ConfigureAwait(false));
        if (!scan.IsConsistent)
        {
            throw new CheckFailedException($"The base backup disagrees with its backup_manifest: {string.Join(" ", scan.Problems.Take(3))}");
        }

        return $"{scan.FileCount} files, {scan.VerifiedChecksumCount} CRC32C checksums match backup_manifest, manifest checksum verified";
    }

    private async Task TrialRecoveryAsync(VerificationRequest request, List<VerificationCheck> checks, CancellationToken cancellationToken)
    {
        if (request.WalToolPath is null)
        {
            checks.Add(new VerificationCheck("trial recovery", VerificationStatus.Skipped, "pgbt-wal was not found, so restore_command could not be set.", TimeSpan.Zero));
            return;
        }

        var target = Path.Combine(request.ScratchPath ?? Path.GetTempPath(), "pgbt-trial-" + stored.Manifest.Id);
        try
        {
            PgTool? pgCtl = null;
            checks.Add(await CheckTimer.RunAsync("restore into a temporary folder", context.Time, async () =>
            {
                pgCtl = await PgServerTools.FindPgCtlAsync(context.PgBinDirectory, Facts.ServerMajorVersion, cancellationToken).ConfigureAwait(false);
                var restored = await new PhysicalRestoreJob(context).RunAsync(new PhysicalRestoreRequest
                {
                    Repository = repository.Layout.Root,
                    Key = request.Key,
                    KeyFilePath = request.KeyFilePath,
                    TargetPath = target,
                    Target = RecoveryTarget.Immediate,
                    BackupId = stored.Manifest.Id,
                    WalToolPath = request.WalToolPath,
                }, cancellationToken).ConfigureAwait(false);
                return $"{restored.Files} files, {restored.Bytes} bytes, every CRC32C checked";
            }).ConfigureAwait(false));
            if (checks[^1].Status != VerificationStatus.Passed)
            {
                return;
            }

            var server = new RecoveryServer(pgCtl!.Path, target, ServerAccount.Current(), RecoveryServer.EnvironmentFor(request.Key), context.Time);
            var inside = new List<VerificationCheck>();
            checks.Add(await CheckTimer.RunAsync("recovery to consistency", context.Time, async () =>
            {
                var outcome = await server.RecoverAsync(Facts.BootstrapSuperuser, TimeSpan.FromHours(4), cancellationToken, async connection =>
                {
                    inside.AddRange(await ChecksWhileRunningAsync(connection, cancellationToken).ConfigureAwait(false));
                }).ConfigureAwait(false);
                return $"consistent and promoted at WAL {outcome.ReplayLsn}";
            }).ConfigureAwait(false));
            checks.AddRange(inside);
        }
        finally
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
        }
    }

    private async Task<List<VerificationCheck>> ChecksWhileRunningAsync(NpgsqlConnectionStringBuilder template, CancellationToken cancellationToken)
    {
        var databases = new List<string>();
        var checks = new List<VerificationCheck>
        {
            await CheckTimer.RunAsync("databases open", context.Time, async () =>
            {
                await using var db = new NpgsqlConnection(template.ConnectionString);
                await db.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datallowconn AND datname <> 'template0' ORDER BY 1", db);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    databases.Add(reader.GetString(0));
                }

                foreach (var name in databases)
                {
                    await using var each = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(template.ConnectionString) { Database = name }.ConnectionString);
                    await each.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using var probe = new NpgsqlCommand("SELECT count(*) FROM pg_class", each);
                    await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                }

                return $"{databases.Count} database(s) open: {string.Join(", ", databases)}";
            }).ConfigureAwait(false),
        };
        checks.Add(await CheckTimer.RunAsync("amcheck (B-tree indexes)", context.Time, async () =>
        {
            var indexes = 0;
            foreach (var name in databases)
            {
                indexes += await AmcheckAsync(new NpgsqlConnectionStringBuilder(template.ConnectionString) { Database = name, CommandTimeout = 0 }.ConnectionString, name, cancellationToken).ConfigureAwait(false);
            }

            return $"{indexes} index(es) in {databases.Count} database(s) verified by bt_index_check";
        }).ConfigureAwait(false));
        logger.Information("Trial recovery of {BackupId}: {Checks}", stored.Manifest.Id, string.Join("; ", checks.Select(c => $"{c.Name} {c.Status}")));
        return checks;
    }

    private static async Task<int> AmcheckAsync(string connectionString, string database, CancellationToken cancellationToken)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS amcheck", db);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedFile or PostgresErrorCodes.FeatureNotSupported or "0A000" or "58P01")
        {
            throw new CheckSkippedException($"amcheck is not installed for this server (postgresql-contrib): {ex.MessageText}");
        }

        await using var check = new NpgsqlCommand(
            "SELECT count(bt_index_check(c.oid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam " +
            "WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready AND c.relpersistence <> 't'",
            db);
        try
        {
            return Convert.ToInt32(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        catch (PostgresException ex) when (ex.SqlState is "XX001" or "XX002")
        {
            throw new CheckFailedException($"amcheck found a corrupt index in database '{database}': {ex.MessageText}");
        }
    }
}
