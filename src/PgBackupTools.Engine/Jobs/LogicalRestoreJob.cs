using System.Security.Cryptography;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Logging;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Restores a logical backup into a new database under a temporary name, authenticating and decrypting as
/// it streams into pg_restore, and renames it to the target only after pg_restore succeeded. A failed
/// restore leaves the target exactly as it was.
/// </summary>
public sealed class LogicalRestoreJob(JobContext context)
{
    public async Task<RestoreResult> RunAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        using var log = RunLog.Create(context, "Restore-PgBackup");
        var logger = log.Logger;
        var started = context.Time.GetUtcNow();
        var startTimestamp = context.Time.GetTimestamp();

        // The first connection (the slowest: a cold client, authentication) is made while the repository is read.
        var maintenance = request.Connection.WithDatabase(PgDatabaseAdmin.MaintenanceDatabase);
        await using var serverQuery = new EarlyStart<PgServerInfo>(token => PgServerInfo.QueryAsync(maintenance, token), cancellationToken);
        using var repository = BackupRepository.Open(request.Repository);
        repository.Unlock(request.Key);
        var backupId = request.Backup.Resolve(repository);
        using var reading = BackupReadLock.Acquire(repository.Layout, backupId, $"Restore of backup {backupId}", context.Time);
        var stored = ManifestStore.Load(repository, backupId);
        var manifest = stored.Manifest;
        if (manifest.Type != "logical")
        {
            throw new PgBackupException("BackupTypeMismatch", ErrorKind.InvalidArgument, $"Backup '{backupId}' is a {manifest.Type} backup; restore it with -Type Physical.") { Target = backupId };
        }

        using var dataKey = manifest.Encryption is { } encryption ? repository.Master!.UnwrapDataKey(encryption.WrappedDataKey, backupId) : null;
        var locator = new PgToolLocator(context.PgBinDirectory);
        var admin = new PgDatabaseAdmin(maintenance);
        if (request.IsPartial)
        {
            var tablesCatalog = await ReadCatalogAsync(stored, dataKey, request, logger, cancellationToken).ConfigureAwait(false);
            var serverMajor = (await serverQuery.Task.ConfigureAwait(false)).Major;
            var tool = await FindPgRestoreAsync(locator, serverMajor, manifest, cancellationToken).ConfigureAwait(false);
            var current = await admin.GetStateAsync(request.TargetDatabase, cancellationToken).ConfigureAwait(false);
            return await RestoreTablesAsync(request, stored, dataKey, tablesCatalog, admin, current, locator, serverMajor, tool, logger, started, startTimestamp, cancellationToken).ConfigureAwait(false);
        }

        // CREATE DATABASE copies a template and takes a while (0.15 s on the bench machine), so it runs while the catalog
        // is read, pg_restore is located and the table of contents is planned; so does the look at the target.
        var temporary = "pgbt_restore_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant();
        var properties = manifest.Server.Encoding is { } enc ? new PgDatabaseProperties(enc, manifest.Server.Collate!, manifest.Server.Ctype!) : null;
        var creating = CreateTemporaryAsync(admin, temporary, properties, logger, cancellationToken);
        var looking = admin.GetStateAsync(request.TargetDatabase, cancellationToken);
        Task<ParallelRestorePlan?>? planning = null;
        var state = PgDatabaseAdmin.TargetState.Missing;
        BackupCatalog catalog;
        var renamed = false;
        try
        {
            catalog = await ReadCatalogAsync(stored, dataKey, request, logger, cancellationToken).ConfigureAwait(false);
            var server = await serverQuery.Task.ConfigureAwait(false);
            var pgRestore = await FindPgRestoreAsync(locator, server.Major, manifest, cancellationToken).ConfigureAwait(false);
            using var passFile = PgPassFile.Create(request.Connection.WithDatabase(temporary));
            var progress = new ProgressMeter(context.Reporter, 1, $"Restoring {manifest.Database} into {request.TargetDatabase}", context.Time);
            var runner = new PgRestoreRunner(pgRestore, stored, dataKey, passFile, request.Connection, logger, progress);
            planning = runner.PlanAsync(request.Jobs, catalog, cancellationToken);
            state = await looking.ConfigureAwait(false);
            if (state == PgDatabaseAdmin.TargetState.HasObjects && !request.Force)
            {
                throw new PgBackupException(
                    "TargetDatabaseNotEmpty",
                    ErrorKind.ResourceExists,
                    $"Database '{request.TargetDatabase}' on {request.Connection.Endpoint} already holds objects. Choose another -TargetDatabase, or add -Force to replace it (the old one is dropped only after the restore succeeded).")
                { Target = request.TargetDatabase };
            }

            await creating.ConfigureAwait(false);
            if (request.IncludeGlobals)
            {
                var psql = await locator.FindAsync(PgToolNames.Psql, server.Major, cancellationToken).ConfigureAwait(false);
                await RestoreGlobalsAsync(psql, stored, dataKey, passFile, request.Connection, logger, cancellationToken).ConfigureAwait(false);
            }

            await runner.RestoreAsync(temporary, request.Jobs, planning, cancellationToken).ConfigureAwait(false);
            progress.Complete();
            cancellationToken.ThrowIfCancellationRequested();
            await SwapInAsync(admin, temporary, request.TargetDatabase, state, logger, cancellationToken).ConfigureAwait(false);
            renamed = true;
        }
        finally
        {
            if (!renamed)
            {
                await SideTask.ObserveQuietlyAsync(looking).ConfigureAwait(false);
                if (planning is not null)
                {
                    await SideTask.ObserveQuietlyAsync(planning).ConfigureAwait(false);
                }

                // Once CREATE DATABASE has ended: a failed one made nothing (the server refused it or was not reached); after
                // a cancelled one the database may exist, and DROP ... IF EXISTS is harmless.
                await SideTask.ObserveQuietlyAsync(creating).ConfigureAwait(false);
                if (!creating.IsFaulted)
                {
                    logger.Information("Dropping temporary database {Temporary}", temporary);
                    await DropQuietlyAsync(admin, temporary, logger).ConfigureAwait(false);
                }
            }
        }

        var duration = context.Time.GetElapsedTime(startTimestamp);
        logger.Information("Restore of {BackupId} into {Target} finished in {Seconds:0.0} s", backupId, request.TargetDatabase, duration.TotalSeconds);
        return new RestoreResult
        {
            BackupId = backupId,
            SourceDatabase = manifest.Database,
            TargetDatabase = request.TargetDatabase,
            Server = request.Connection.Endpoint,
            StartTime = started,
            Duration = duration,
            Tables = catalog.Tables.Count,
            Rows = catalog.Tables.Sum(t => t.Rows),
            Jobs = request.Jobs,
            GlobalsRestored = request.IncludeGlobals,
            ReplacedExisting = state != PgDatabaseAdmin.TargetState.Missing,
        };
    }

    /// <summary>pg_restore must read the dump's archive format and speak to the server: the newer of the two majors.</summary>
    private static Task<PgTool> FindPgRestoreAsync(PgToolLocator locator, int serverMajor, BackupManifest manifest, CancellationToken cancellationToken) =>
        locator.FindAsync(PgToolNames.PgRestore, Math.Max(serverMajor, DumpVersion.Major(manifest)), cancellationToken);

    private static async Task<BackupCatalog> ReadCatalogAsync(StoredBackup stored, DataKey? dataKey, RestoreRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        var catalog = await stored.ReadCatalogAsync(dataKey, cancellationToken).ConfigureAwait(false);
        logger.Information("Restoring backup {BackupId} of {Database} ({Tables} tables, {Rows} rows) into {Target} on {Server}",
            stored.Manifest.Id, stored.Manifest.Database, catalog.Tables.Count, catalog.Tables.Sum(t => t.Rows), request.TargetDatabase, request.Connection.Endpoint);
        return catalog;
    }

    private async Task<RestoreResult> RestoreTablesAsync(
        RestoreRequest request, StoredBackup stored, DataKey? dataKey, BackupCatalog catalog, PgDatabaseAdmin admin, PgDatabaseAdmin.TargetState state,
        PgToolLocator locator, int serverMajor, PgTool pgRestore, ILogger logger, DateTimeOffset started, long startTimestamp, CancellationToken cancellationToken)
    {
        if (state == PgDatabaseAdmin.TargetState.Missing)
        {
            await admin.CreateAsync(request.TargetDatabase, null, cancellationToken).ConfigureAwait(false);
        }

        var psql = await locator.FindAsync(PgToolNames.Psql, serverMajor, cancellationToken).ConfigureAwait(false);
        using var passFile = PgPassFile.Create(request.Connection.WithDatabase(request.TargetDatabase));
        var tables = await new PartialRestore(pgRestore, psql, stored, dataKey, catalog, logger).RunAsync(request, passFile, cancellationToken).ConfigureAwait(false);
        var duration = context.Time.GetElapsedTime(startTimestamp);
        logger.Information("Restored {Tables} tables of {BackupId} into {Target} in {Seconds:0.0} s", tables.Count, stored.Manifest.Id, request.TargetDatabase, duration.TotalSeconds);
        return new RestoreResult
        {
            BackupId = stored.Manifest.Id,
            SourceDatabase = stored.Manifest.Database,
            TargetDatabase = request.TargetDatabase,
            Server = request.Connection.Endpoint,
            StartTime = started,
            Duration = duration,
            Tables = tables.Count,
            Rows = tables.Sum(t => t.Rows),
            Jobs = 1,
            ReplacedExisting = state != PgDatabaseAdmin.TargetState.Missing,
        };
    }

    private static async Task CreateTemporaryAsync(PgDatabaseAdmin admin, string temporary, PgDatabaseProperties? properties, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await admin.CreateAsync(temporary, properties, cancellationToken).ConfigureAwait(false);
        }
        catch (PgBackupException ex) when (properties is not null && ex.InnerException is Npgsql.PostgresException { SqlState: "22023" or "42809" or "XX000" })
        {
            logger.Warning("The server cannot create a database with the backup's locale {Collate}/{Ctype} ({Reason}); using the server's defaults", properties.Collate, properties.Ctype, ex.Message);
            await admin.CreateAsync(temporary, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RestoreGlobalsAsync(
        PgTool psql, StoredBackup stored, DataKey? dataKey, PgPassFile passFile, PgConnectionSettings connection, ILogger logger, CancellationToken cancellationToken)
    {
        var globals = await stored.ReadAllAsync("globals", dataKey, cancellationToken).ConfigureAwait(false);
        logger.Information("Restoring roles and tablespaces (pg_dumpall --globals-only); existing ones are kept");
        await using var child = ChildProcess.Start(new ChildProcessOptions(psql.Path, ["--no-psqlrc", "--quiet", "--no-password", "--dbname=postgres", "--file=-"])
        {
            Environment = passFile.ChildEnvironment,
            WriteStandardInput = true,
            DiscardStandardOutput = true,
        });
        await using (var stdin = child.StandardInput)
        {
            await stdin.WriteAsync(globals, cancellationToken).ConfigureAwait(false);
        }

        await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var line in child.StandardErrorText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.Contains("already exists", StringComparison.Ordinal))
            {
                logger.Warning("Globals: {Line}", PgErrorTranslator.Redact(line, connection));
            }
        }
    }

    private static async Task SwapInAsync(PgDatabaseAdmin admin, string temporary, string target, PgDatabaseAdmin.TargetState state, ILogger logger, CancellationToken cancellationToken)
    {
        if (state == PgDatabaseAdmin.TargetState.Missing)
        {
            await admin.RenameAsync(temporary, target, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The old database is moved aside, not dropped, until the new one carries its name.
        var aside = "pgbt_replaced_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant();
        logger.Information("Replacing existing database {Target} (moved aside as {Aside} until the swap is done)", target, aside);
        await admin.DisconnectSessionsAsync(target, cancellationToken).ConfigureAwait(false);
        await admin.RenameAsync(target, aside, cancellationToken).ConfigureAwait(false);
        try
        {
            await admin.RenameAsync(temporary, target, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await admin.RenameAsync(aside, target, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await admin.DropAsync(aside, CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task DropQuietlyAsync(PgDatabaseAdmin admin, string database, ILogger logger)
    {
        try
        {
            await admin.DropAsync(database, CancellationToken.None).ConfigureAwait(false);
        }
        catch (PgBackupException ex)
        {
            logger.Warning("Could not drop temporary database {Database}: {Reason}. Drop it by hand.", database, ex.Message);
        }
    }
}
