using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Logging;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// pg_dump -Fc -Z0 → row counting scanner → zstd/gzip → AES-256-GCM → SHA-256 → repository, in one pass over
/// pg_dump's stdout, then pg_dumpall --globals-only, the encrypted catalog, the manifest, and one atomic commit.
/// </summary>
public sealed class LogicalBackupJob(JobContext context)
{
    private const string DumpRole = "dump";
    private const string GlobalsRole = "globals";
    private const string CatalogRole = "catalog";
    public async Task<Backup> RunAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        using var log = RunLog.Create(context, "Invoke-PgBackup");
        var logger = log.Logger;
        var connection = request.Connection;
        logger.Information("Backing up database {Database} on {Server} into {Repository}", connection.Database, connection.Endpoint, request.Repository);

        // Without a repository there is nowhere to record the run; every later failure leaves a run record.
        using var repository = BackupRepository.Open(request.Repository);
        return await BackupRunRecorder.RecordAroundAsync(
            context, repository, log.RunId, connection.Endpoint, connection.Database, logger,
            () => RunCoreAsync(request, repository, logger, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<Backup> RunCoreAsync(BackupRequest request, RepositorySession repository, ILogger logger, CancellationToken cancellationToken)
    {
        var connection = request.Connection;

        // Every check that can fail cheaply runs before pg_dump starts: key, repository writable, server, tools, lock.
        // The server is asked while the key is derived and checked (both take a noticeable moment); a key error still
        // comes first.
        await using var serverQuery = new EarlyStart<PgServerInfo>(token => PgServerInfo.QueryAsync(connection, token), cancellationToken);
        await using var propertiesQuery = new EarlyStart<PgDatabaseProperties>(token => PgDatabaseProperties.QueryAsync(connection, token), cancellationToken);
        repository.Unlock(request.Key);
        SecureFileSystem.EnsureWritable(repository.Layout.BackupsDirectory);
        SecureFileSystem.EnsureWritable(repository.Layout.LocksDirectory);
        logger.Debug("Repository {RepositoryId} unlocked (encrypted: {Encrypted}, key {KeyId})", repository.Config.Id, repository.IsEncrypted, repository.Config.Encryption?.KeyId);

        var server = await serverQuery.Task.ConfigureAwait(false);
        var properties = await propertiesQuery.Task.ConfigureAwait(false);
        logger.Information("Server {Server} runs PostgreSQL {Major}.{Minor}; database size {Size} bytes", connection.Endpoint, server.Major, server.Minor, server.DatabaseSizeBytes);
        var locator = new PgToolLocator(context.PgBinDirectory);
        var findingDumpAll = locator.FindAsync(PgToolNames.PgDumpAll, server.Major, cancellationToken);
        var pgDump = await locator.FindAsync(PgToolNames.PgDump, server.Major, cancellationToken).ConfigureAwait(false);
        var pgDumpAll = await findingDumpAll.ConfigureAwait(false);
        logger.Debug("Using {PgDump} ({Version})", pgDump.Path, pgDump.VersionText);

        var lockName = RepositoryLock.DatabaseLockName(connection.Endpoint, connection.Database);
        using var databaseLock = await RepositoryLock.AcquireAsync(
            repository.Layout, lockName, $"Backup of database '{connection.Database}' on {connection.Endpoint}", request.LockWait, context.Time, cancellationToken).ConfigureAwait(false);
        if (databaseLock.TookOverStaleLock)
        {
            logger.Warning("A lock left by a process that is no longer running was cleared for database {Database}", connection.Database);
        }

        var start = context.Time.GetUtcNow();
        var id = BackupId.New(start);
        var marker = new IncompleteMarker(id, "logical", connection.Database, connection.Endpoint, lockName, start, Environment.ProcessId, Environment.MachineName);
        await using var pending = PendingBackup.Begin(repository, id, marker.Serialize());
        logger.Information("Backup {BackupId} started", id);

        using var passFile = PgPassFile.Create(connection);
        // Roles and tablespaces are small and need no snapshot shared with the dump: pg_dumpall runs beside pg_dump.
        using var globalsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var dumpingGlobals = DumpGlobalsAsync(pgDumpAll, connection, passFile, server.IsSuperuser, logger, globalsStop.Token);
        (CustomArchiveScannerResult Scan, ManifestFile File) dumped;
        try
        {
            dumped = await DumpAsync(pgDump, connection, passFile, pending, request.Compression, request.MaxRateKilobytesPerSecond, logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await globalsStop.CancelAsync().ConfigureAwait(false);
            await SideTask.ObserveQuietlyAsync(dumpingGlobals).ConfigureAwait(false);
            throw;
        }

        var (scan, dumpFile) = dumped;
        pending.Add(dumpFile);
        var globals = await dumpingGlobals.ConfigureAwait(false);
        await pending.WriteSmallFileAsync("globals.sql" + request.Compression.FileSuffix + EncryptionSuffix(repository), GlobalsRole, globals, request.Compression, cancellationToken).ConfigureAwait(false);

        var catalog = new BackupCatalog
        {
            Tables = scan.Tables.Select(t => new TableRowCount(t.Schema ?? "", t.Table, t.Rows, t.Bytes, t.DumpId)).ToList(),
            LargeObjects = (int)scan.LargeObjectCount,
            LargeObjectBytes = scan.LargeObjectBytes,
            Entries = scan.TocEntries.Select(e => new CatalogEntry(e.DumpId, e.Desc, e.Namespace, e.Tag, e.Section.ToString(), e.Dependencies)).ToList(),
        };
        await pending.WriteSmallFileAsync("catalog.json" + EncryptionSuffix(repository), CatalogRole, catalog.Serialize(), new CompressionSettings(CompressionAlgorithm.None, 0), cancellationToken).ConfigureAwait(false);

        var end = context.Time.GetUtcNow();
        var manifest = NewBackupManifest.For(
            pending, repository, request, "logical", connection.Database, server,
            new ServerFacts
            {
                Host = connection.Host,
                Port = connection.Port,
                Version = "",
                SystemIdentifier = server.SystemIdentifier,
                DatabaseSizeBytes = server.DatabaseSizeBytes,
                Encoding = properties.Encoding,
                Collate = properties.Collate,
                Ctype = properties.Ctype,
            },
            pgDump, start, end, dumpFile.PlainBytes) with
        {
            TableCount = catalog.Tables.Count,
            TotalRows = catalog.Tables.Sum(t => t.Rows),
            GlobalsIncludeRolePasswords = server.IsSuperuser,
        };

        cancellationToken.ThrowIfCancellationRequested();
        var directory = await pending.CommitAsync(manifest, cancellationToken).ConfigureAwait(false);
        logger.Information(
            "Backup {BackupId} committed: {Tables} tables, {Rows} rows, {Raw} bytes dumped, {Stored} bytes stored in {Seconds:0.0} s",
            id, manifest.TableCount, manifest.TotalRows, manifest.RawBytes, manifest.StoredBytes, manifest.DurationSeconds);
        return BackupMapper.FromManifest(manifest, repository, directory);
    }

    private static string EncryptionSuffix(RepositorySession repository) => repository.IsEncrypted ? ".enc" : "";

    private async Task<(CustomArchiveScannerResult Scan, ManifestFile File)> DumpAsync(
        PgTool pgDump, PgConnectionSettings connection, PgPassFile passFile, PendingBackup pending, CompressionSettings compression, int? maxRateKilobytesPerSecond, ILogger logger,
        CancellationToken cancellationToken)
    {
        var name = "database.pgdump" + compression.FileSuffix + (pending.DataKey is null ? "" : ".enc");
        var options = new ChildProcessOptions(pgDump.Path, ["--format=custom", "--compress=0", "--no-password"])
        {
            Environment = passFile.ChildEnvironment,
        };
        logger.Information("Running {PgDump} --format=custom --compress=0 (compression {Compression} level {Level} in-process)", pgDump.Name, compression.Name, compression.Level);
        var scanner = new CustomArchiveScanner();
        var meter = new ProgressMeter(context.Reporter, 1, $"Backing up {connection.Database}", context.Time);
        var writer = pending.CreateFile(name, DumpRole, compression);
        await using (writer.ConfigureAwait(false))
        {
            await using var child = ChildProcess.Start(options);
            var pacer = maxRateKilobytesPerSecond is { } rate ? new RatePacer(rate * 1024L, context.Time) : null;
            if (pacer is not null)
            {
                logger.Information("Reading the dump at most {Rate} kB/s", maxRateKilobytesPerSecond);
            }

            var exitCode = await ToolOutputCapture.CaptureAsync(child, writer, pending.Directory, scanner.Observe, meter, cancellationToken, pacer).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw PgErrorTranslator.FromToolOutput(pgDump.Name, exitCode, child.StandardErrorText, connection);
            }

            var scan = scanner.Complete();
            var file = await ToolOutputCapture.CompleteAsync(writer, pending.Directory, meter, cancellationToken).ConfigureAwait(false);
            logger.Information("pg_dump finished: {Raw} bytes, {Tables} tables counted from the dump stream", file.PlainBytes, scan.Tables.Count);
            return (scan, file);
        }
    }

    private static async Task<byte[]> DumpGlobalsAsync(PgTool pgDumpAll, PgConnectionSettings connection, PgPassFile passFile, bool superuser, ILogger logger, CancellationToken cancellationToken)
    {
        // Without superuser rights pg_authid is unreadable; --no-role-passwords reads pg_roles instead.
        List<string> arguments = ["--globals-only", "--no-password"];
        if (!superuser)
        {
            arguments.Add("--no-role-passwords");
        }

        logger.Information("Running {Tool} {Arguments}", pgDumpAll.Name, string.Join(' ', arguments));
        await using var child = ChildProcess.Start(new ChildProcessOptions(pgDumpAll.Path, arguments) { Environment = passFile.ChildEnvironment });
        using var output = new MemoryStream();
        await child.StandardOutput.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        var exitCode = await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw PgErrorTranslator.FromToolOutput(pgDumpAll.Name, exitCode, child.StandardErrorText, connection);
        }

        return output.ToArray();
    }
}
