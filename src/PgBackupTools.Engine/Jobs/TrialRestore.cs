using System.Security.Cryptography;
using Npgsql;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Repository;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// The Restore level of Test-PgBackup: restore into a uniquely named scratch database, compare exact row
/// counts with those recorded at backup time, run amcheck on every B-tree index, and always drop the scratch
/// database again, also after a failure or Ctrl+C.
/// </summary>
internal sealed class TrialRestore(JobContext context, PgTool pgRestore, StoredBackup stored, DataKey? dataKey, BackupCatalog catalog, ILogger logger)
{
    public async Task<IReadOnlyList<VerificationCheck>> RunAsync(
        PgConnectionSettings scratch, bool allowSourceServer, int jobs, TrialRestoreOutcome outcome, CancellationToken cancellationToken)
    {
        var time = context.Time;
        var checks = new List<VerificationCheck>();
        var maintenance = scratch.WithDatabase(PgDatabaseAdmin.MaintenanceDatabase);
        checks.Add(await CheckTimer.RunAsync("scratch server", time, async () =>
        {
            var server = await PgServerInfo.QueryAsync(maintenance, cancellationToken).ConfigureAwait(false);
            if (!allowSourceServer && server.SystemIdentifier is not null && server.SystemIdentifier == stored.Manifest.Server.SystemIdentifier)
            {
                throw new PgBackupException(
                    "ScratchIsSourceServer",
                    ErrorKind.InvalidArgument,
                    $"{scratch.Endpoint} is the server the backup was taken from. A trial restore loads it; name another scratch server, or add -AllowSourceServer.");
            }

            return $"PostgreSQL {server.Major}.{server.Minor} at {scratch.Endpoint}";
        }).ConfigureAwait(false));
        if (checks[^1].Status != VerificationStatus.Passed)
        {
            return checks;
        }

        var admin = new PgDatabaseAdmin(maintenance);
        var database = "pgbt_verify_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant();
        try
        {
            checks.Add(await CheckTimer.RunAsync("restore", time, async () =>
            {
                await admin.CreateAsync(database, null, cancellationToken).ConfigureAwait(false);
                using var passFile = PgPassFile.Create(scratch.WithDatabase(database));
                var started = time.GetTimestamp();
                try
                {
                    await new PgRestoreRunner(pgRestore, stored, dataKey, passFile, scratch, logger, null)
                        .RestoreAsync(database, jobs, catalog, cancellationToken).ConfigureAwait(false);
                }
                catch (PgBackupException ex) when (ex.ErrorId == "RestoreFailed")
                {
                    throw new CheckFailedException(ex.Message);
                }

                outcome.RestoreDuration = time.GetElapsedTime(started);
                return $"restored into {database} on {scratch.Endpoint} in {outcome.RestoreDuration.Value.TotalSeconds:0.0} s";
            }).ConfigureAwait(false));
            if (checks[^1].Status != VerificationStatus.Passed)
            {
                return checks;
            }

            var target = scratch.WithDatabase(database);
            checks.Add(await CheckTimer.RunAsync("row counts", time, () => CompareRowCountsAsync(target, outcome, cancellationToken)).ConfigureAwait(false));
            checks.Add(await CheckTimer.RunAsync("amcheck", time, () => CheckIndexesAsync(target, cancellationToken)).ConfigureAwait(false));
            return checks;
        }
        finally
        {
            try
            {
                await admin.DropAsync(database, CancellationToken.None).ConfigureAwait(false);
            }
            catch (PgBackupException ex)
            {
                logger.Warning("Could not drop scratch database {Database} on {Server}: {Reason}. Drop it by hand.", database, scratch.Endpoint, ex.Message);
            }
        }
    }

    private async Task<string> CompareRowCountsAsync(PgConnectionSettings target, TrialRestoreOutcome outcome, CancellationToken cancellationToken)
    {
        var mismatches = new List<string>();
        await using var connection = await OpenAsync(target, cancellationToken).ConfigureAwait(false);
        foreach (var table in catalog.Tables)
        {
            var name = $"{PgDatabaseAdmin.QuoteIdentifier(table.Schema)}.{PgDatabaseAdmin.QuoteIdentifier(table.Table)}";
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM ONLY {name}", connection);
            long rows;
            try
            {
                rows = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
            catch (PostgresException ex)
            {
                mismatches.Add($"{table.Schema}.{table.Table}: cannot be read after the restore ({ex.MessageText})");
                continue;
            }

            if (rows != table.Rows)
            {
                mismatches.Add($"{table.Schema}.{table.Table}: {rows} rows restored, {table.Rows} recorded");
            }
        }

        outcome.TablesCompared = catalog.Tables.Count;
        outcome.RowMismatches = mismatches.Count;
        if (mismatches.Count > 0)
        {
            throw new CheckFailedException($"{mismatches.Count} of {catalog.Tables.Count} tables differ from the counts recorded at backup time: {string.Join("; ", mismatches.Take(10))}");
        }

        return $"{catalog.Tables.Count} tables, {catalog.Tables.Sum(t => t.Rows)} rows, all equal to the counts recorded at backup time";
    }

    private static async Task<string> CheckIndexesAsync(PgConnectionSettings target, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS amcheck", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw new CheckSkippedException($"amcheck is not available on the scratch server ({ex.MessageText}); install the PostgreSQL contrib modules there to check indexes.");
        }

        const string indexes = """
            SELECT c.oid, n.nspname || '.' || c.relname FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_am am ON am.oid = c.relam
            WHERE am.amname = 'btree' AND i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
            """;
        var list = new List<(uint Oid, string Name)>();
        await using (var command = new NpgsqlCommand(indexes, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add((reader.GetFieldValue<uint>(0), reader.GetString(1)));
            }
        }

        foreach (var (oid, name) in list)
        {
            try
            {
                await using var check = new NpgsqlCommand("SELECT bt_index_check(@oid::regclass, true)", connection);
                check.Parameters.AddWithValue("oid", NpgsqlTypes.NpgsqlDbType.Oid, oid);
                await check.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex)
            {
                throw new CheckFailedException($"amcheck found index {name} corrupt: {ex.MessageText}");
            }
        }

        return $"{list.Count} B-tree indexes checked (bt_index_check with heapallindexed)";
    }

    private static async Task<NpgsqlConnection> OpenAsync(PgConnectionSettings settings, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(settings.NpgsqlConnectionString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw PgErrorTranslator.Translate(ex, settings);
        }
    }
}
