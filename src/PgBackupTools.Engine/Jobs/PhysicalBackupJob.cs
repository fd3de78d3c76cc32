using System.Globalization;
using System.Text;
using Npgsql;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Logging;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Postgres.Libpq;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// BASE_BACKUP compressed on the server and received through libpq (<see cref="ServerCompressedBaseBackup"/>), or
/// pg_basebackup -Ft to stdout → tar scanner (CRC32C of every file against PostgreSQL's backup_manifest) →
/// zstd/gzip → AES-256-GCM → SHA-256 → repository in one pass; then waits until the WAL from the backup's start
/// to its stop is in the repository's archive, and only then commits. A backup whose WAL is not there could not
/// be restored, so it is never listed.
/// </summary>
public sealed class PhysicalBackupJob(JobContext context)
{
    private const string BaseRole = "base";
    private const string PgManifestRole = "pgmanifest";
    private static readonly TimeSpan WalPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// zstd level for base backups when none is given. Database pages compress about as well at level 1 as at 3
    /// (a 545 MB pgbench cluster: 31.3 MB either way) for a third less CPU (0.58 s against 0.88 s in-process), and a
    /// base backup shares the machine with the server it copies. WAL uses level 1 for the same reason.
    /// </summary>
    public const int DefaultZstdLevel = 1;

    /// <summary>BASE_BACKUP takes COMPRESSION from PostgreSQL 15 on.</summary>
    private const int ServerCompressionMinimumMajor = 15;
    private const string FeatureNotSupported = "0A000";
    private const string DataCorrupted = "XX001";

    public async Task<Backup> RunAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        using var log = RunLog.Create(context, "Invoke-PgBackup");
        var logger = log.Logger;
        var connection = request.Connection;
        logger.Information("Physical backup of the cluster on {Server} into {Repository}", connection.Endpoint, request.Repository);
        using var repository = BackupRepository.Open(request.Repository);
        return await BackupRunRecorder.RecordAroundAsync(
            context, repository, log.RunId, connection.Endpoint, PhysicalServerFacts.ClusterDatabaseLabel, logger,
            () => RunCoreAsync(request, repository, logger, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<Backup> RunCoreAsync(BackupRequest request, RepositorySession repository, ILogger logger, CancellationToken cancellationToken)
    {
        var connection = request.Connection;
        repository.Unlock(request.Key);
        SecureFileSystem.EnsureWritable(repository.Layout.BackupsDirectory);
        SecureFileSystem.EnsureWritable(repository.Layout.LocksDirectory);

        var server = await PgServerInfo.QueryAsync(connection, cancellationToken).ConfigureAwait(false);
        var facts = await PhysicalServerFacts.QueryAsync(connection, cancellationToken).ConfigureAwait(false);
        facts.RequireReady(connection, request.IncludeWal);
        var systemId = ulong.Parse(facts.SystemIdentifier, CultureInfo.InvariantCulture);
        logger.Information(
            "Server {Server}: PostgreSQL {Major}.{Minor}, system {SystemId}, wal_level {WalLevel}, archive_mode {Archive}",
            connection.Endpoint, server.Major, server.Minor, facts.SystemIdentifier, facts.WalLevel, facts.ArchiveModeOn ? "on" : "off");
        var pgBaseBackup = await new PgToolLocator(context.PgBinDirectory).FindAsync(PgToolNames.PgBaseBackup, server.Major, cancellationToken).ConfigureAwait(false);

        var lockName = RepositoryLock.DatabaseLockName(connection.Endpoint, PhysicalServerFacts.ClusterDatabaseLabel);
        using var clusterLock = await RepositoryLock.AcquireAsync(
            repository.Layout, lockName, $"Physical backup of {connection.Endpoint}", request.LockWait, context.Time, cancellationToken).ConfigureAwait(false);

        var start = context.Time.GetUtcNow();
        var id = BackupId.New(start);
        var marker = new IncompleteMarker(id, "physical", PhysicalServerFacts.ClusterDatabaseLabel, connection.Endpoint, lockName, start, Environment.ProcessId, Environment.MachineName);
        await using var pending = PendingBackup.Begin(repository, id, marker.Serialize());
        logger.Information("Backup {BackupId} started", id);

        using var passFile = PgPassFile.Create(connection);
        var (scan, baseFile, source, compressedOnServer) = await TakeBaseBackupAsync(pgBaseBackup, server, request, id, passFile, pending, logger, cancellationToken).ConfigureAwait(false);
        pending.Add(baseFile);
        var encrypted = repository.IsEncrypted ? ".enc" : "";
        await pending.WriteSmallFileAsync("backup_manifest" + request.Compression.FileSuffix + encrypted, PgManifestRole, scan.ManifestBytes, request.Compression, cancellationToken).ConfigureAwait(false);

        var consistentAt = await ServerNowAsync(connection, cancellationToken).ConfigureAwait(false);
        var range = scan.Manifest.WalRanges[^1];
        var startLsn = scan.Label.StartLsn;
        var stopLsn = range.EndLsn;
        if (!request.IncludeWal)
        {
            await WaitForWalAsync(repository, systemId, range.Timeline, startLsn, stopLsn, facts.WalSegmentSize, request.WalTimeout, logger, cancellationToken).ConfigureAwait(false);
        }

        var end = context.Time.GetUtcNow();
        var manifest = NewBackupManifest.For(
            pending, repository, request, "physical", PhysicalServerFacts.ClusterDatabaseLabel, server,
            new ServerFacts { Host = connection.Host, Port = connection.Port, Version = "", SystemIdentifier = facts.SystemIdentifier, DatabaseSizeBytes = scan.TotalBytes },
            source, start, end, baseFile.PlainBytes) with
        {
            Physical = new PhysicalFacts
            {
                SystemIdentifier = facts.SystemIdentifier,
                Timeline = range.Timeline,
                StartLsn = startLsn.ToString(),
                StopLsn = stopLsn.ToString(),
                WalSegmentSize = facts.WalSegmentSize,
                ConsistentAt = consistentAt,
                BackupLabel = scan.LabelText,
                IncludesWal = request.IncludeWal,
                BootstrapSuperuser = facts.BootstrapSuperuser,
                DataFileCount = scan.FileCount,
                ServerMajorVersion = server.Major,
                CompressedOnServer = compressedOnServer,
            },
        };

        cancellationToken.ThrowIfCancellationRequested();
        var directory = await pending.CommitAsync(manifest, cancellationToken).ConfigureAwait(false);
        logger.Information(
            "Backup {BackupId} committed: {Files} files, WAL {Start} to {Stop} on timeline {Timeline}, {Raw} bytes read, {Stored} bytes stored in {Seconds:0.0} s",
            id, scan.FileCount, manifest.Physical.StartLsn, manifest.Physical.StopLsn, range.Timeline, manifest.RawBytes, manifest.StoredBytes, manifest.DurationSeconds);
        return BackupMapper.FromManifest(manifest, repository, directory);
    }

    /// <summary>
    /// Compressed on the server when it can (PostgreSQL 15 and later, libpq found, the algorithm built in), so only
    /// compressed bytes travel and nothing is compressed twice; otherwise pg_basebackup's tar, compressed here.
    /// </summary>
    private async Task<TakenBaseBackup> TakeBaseBackupAsync(
        PgTool pgBaseBackup, PgServerInfo server, BackupRequest request, string id, PgPassFile passFile, PendingBackup pending, ILogger logger, CancellationToken cancellationToken)
    {
        if (request.CompressOnClient)
        {
            logger.Information("Compressing on this machine, as asked (-ClientCompression)");
        }
        else if (server.Major < ServerCompressionMinimumMajor)
        {
            logger.Information("PostgreSQL {Major} cannot compress base backups itself; compressing on this machine", server.Major);
        }
        else if (LibpqLibrary.TryLoad(Path.GetDirectoryName(pgBaseBackup.Path), out var reason) is not { } libpq)
        {
            logger.Warning("Compressing on this machine with pg_basebackup, because {Reason}", reason);
        }
        else
        {
            try
            {
                return await ReceiveServerCompressedAsync(libpq, server, request, id, passFile, pending, logger, cancellationToken).ConfigureAwait(false);
            }
            catch (LibpqException ex) when (ServerCannotCompress(ex))
            {
                File.Delete(Path.Combine(pending.Directory, BaseFileName(request, pending)));
                logger.Warning("The server cannot compress with {Algorithm} ({Reason}); compressing on this machine", request.Compression.Name, ex.Message);
            }
        }

        var (scan, file) = await StreamBaseBackupAsync(pgBaseBackup, request, id, passFile, pending, logger, cancellationToken).ConfigureAwait(false);
        return new TakenBaseBackup(scan, file, pgBaseBackup, CompressedOnServer: false);
    }

    private async Task<TakenBaseBackup> ReceiveServerCompressedAsync(
        LibpqLibrary libpq, PgServerInfo server, BackupRequest request, string id, PgPassFile passFile, PendingBackup pending, ILogger logger, CancellationToken cancellationToken)
    {
        var options = new BaseBackupCommandOptions
        {
            Label = "PgBackupTools " + id,
            Compression = request.Compression,
            FastCheckpoint = request.FastCheckpoint,
            IncludeWal = request.IncludeWal,
            MaxRateKilobytesPerSecond = request.MaxRateKilobytesPerSecond,
        };
        logger.Information("Running {Command} through {Libpq}", BaseBackupCommand.Text(options), libpq.Source);
        var name = BaseFileName(request, pending);
        var meter = new ProgressMeter(context.Reporter, 1, $"Base backup of {request.Connection.Endpoint}", context.Time);
        var connectionInfo = LibpqConnectionInfo.Build(request.Connection, passFile.Path, replication: "true", libpq.EnvironmentKeywords);
        ServerBaseBackupOutcome outcome;
        var writer = pending.CreateFileForCompressedInput(name, BaseRole, request.Compression);
        await using (writer.ConfigureAwait(false))
        {
            try
            {
                outcome = await new ServerCompressedBaseBackup(libpq, meter).RunAsync(connectionInfo, options, writer, pending.Directory, cancellationToken).ConfigureAwait(false);
            }
            catch (LibpqException ex) when (!ServerCannotCompress(ex))
            {
                throw BaseBackupFailed("BASE_BACKUP", ex.Message, ex.SqlState, request.Connection);
            }
        }

        RequireConsistent(outcome.Scan, request.Connection);
        logger.Information(
            "BASE_BACKUP finished: {Files} files, {Bytes} bytes ({Compressed} compressed on the server), {Checked} CRC32C checksums verified",
            outcome.Scan.FileCount, outcome.Scan.TotalBytes, outcome.File.SizeBytes, outcome.Scan.VerifiedChecksumCount);
        var compressed = request.Compression.Algorithm != CompressionAlgorithm.None;
        var source = new PgTool("libpq", libpq.Source, new Version(server.Major, server.Minor), $"BASE_BACKUP through libpq ({libpq.Source}){(compressed ? ", compressed on the server" : "")}");
        return new TakenBaseBackup(outcome.Scan, outcome.File, source, CompressedOnServer: compressed);
    }

    /// <summary>
    /// A server built without the algorithm refuses BASE_BACKUP before doing anything; the backup is then taken the
    /// other way. (The partial file is deleted with it: its writer wrote nothing.)
    /// </summary>
    private static bool ServerCannotCompress(LibpqException ex) =>
        ex.SqlState == FeatureNotSupported && ex.Message.Contains("compression", StringComparison.OrdinalIgnoreCase);

    private static string BaseFileName(BackupRequest request, PendingBackup pending) =>
        "base.tar" + request.Compression.FileSuffix + (pending.DataKey is null ? "" : ".enc");

    private sealed record TakenBaseBackup(BaseBackupScanResult Scan, ManifestFile File, PgTool Source, bool CompressedOnServer);

    private async Task<(BaseBackupScanResult Scan, ManifestFile File)> StreamBaseBackupAsync(
        PgTool tool, BackupRequest request, string id, PgPassFile passFile, PendingBackup pending, ILogger logger, CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            "--pgdata=-", "--format=tar", "--wal-method=" + (request.IncludeWal ? "fetch" : "none"),
            "--checkpoint=" + (request.FastCheckpoint ? "fast" : "spread"), "--manifest-checksums=CRC32C",
            "--label=PgBackupTools " + id, "--no-password",
        ];
        if (request.MaxRateKilobytesPerSecond is { } rate)
        {
            arguments.Add(string.Create(CultureInfo.InvariantCulture, $"--max-rate={rate}k"));
        }

        logger.Information("Running {Tool} {Arguments}", tool.Name, string.Join(' ', arguments));
        var name = BaseFileName(request, pending);
        var scanner = new BaseBackupScanner();
        var parser = new TarStreamParser(scanner);
        var meter = new ProgressMeter(context.Reporter, 1, $"Base backup of {request.Connection.Endpoint}", context.Time);
        var writer = pending.CreateFile(name, BaseRole, request.Compression);
        await using (writer.ConfigureAwait(false))
        {
            await using var child = ChildProcess.Start(new ChildProcessOptions(tool.Path, arguments) { Environment = passFile.ChildEnvironment });
            var exitCode = await ToolOutputCapture.CaptureAsync(child, writer, pending.Directory, parser.Feed, meter, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw BaseBackupFailed(tool.Name, child.StandardErrorText, null, request.Connection, exitCode);
            }

            parser.Complete();
            var scan = scanner.Complete();
            RequireConsistent(scan, request.Connection);

            var file = await ToolOutputCapture.CompleteAsync(writer, pending.Directory, meter, cancellationToken).ConfigureAwait(false);
            logger.Information("pg_basebackup finished: {Files} files, {Bytes} bytes, {Checked} CRC32C checksums verified", scan.FileCount, scan.TotalBytes, scan.VerifiedChecksumCount);
            return (scan, file);
        }
    }

    private static void RequireConsistent(BaseBackupScanResult scan, PgConnectionSettings connection)
    {
        if (!scan.IsConsistent)
        {
            throw new PgBackupException(
                "BaseBackupInconsistent",
                ErrorKind.InvalidData,
                $"The base backup stream disagrees with its own backup_manifest ({scan.Problems.Count} problem(s); first: {scan.Problems[0]}). Nothing was kept; the server's storage or the connection may be damaging data.")
            { Target = connection.Endpoint };
        }
    }

    /// <summary>
    /// The server's (or pg_basebackup's) words for the setup problems users hit, with what to change.
    /// <paramref name="exitCode"/> is pg_basebackup's; null when libpq in this process reported the failure.
    /// </summary>
    private static PgBackupException BaseBackupFailed(string source, string message, string? sqlState, PgConnectionSettings connection, int? exitCode = null)
    {
        if (message.Contains("pg_hba.conf", StringComparison.Ordinal) && message.Contains("replication", StringComparison.Ordinal))
        {
            return new PgBackupException(
                "ReplicationNotAllowed",
                ErrorKind.PermissionDenied,
                $"{connection.Endpoint} does not allow replication connections from here for '{connection.Username}'. Add a line like 'host replication {connection.Username} <this machine's address>/32 scram-sha-256' to pg_hba.conf and reload the server.")
            { Target = connection.Endpoint };
        }

        if (message.Contains("number of requested standby connections exceeds max_wal_senders", StringComparison.Ordinal)
            || message.Contains("too many WAL senders", StringComparison.Ordinal))
        {
            return new PgBackupException(
                "PhysicalBackupWalSenders",
                ErrorKind.ResourceBusy,
                $"All WAL senders of {connection.Endpoint} are in use (max_wal_senders). Raise max_wal_senders and restart, or retry when a replica or another backup has finished.")
            { Target = connection.Endpoint };
        }

        if (sqlState == DataCorrupted || message.Contains("checksum error occurred", StringComparison.Ordinal))
        {
            return new PgBackupException(
                "BaseBackupPageChecksumFailure",
                ErrorKind.InvalidData,
                $"{connection.Endpoint} found data pages whose checksums do not match while reading them for the backup (its log names them: 'checksum verification failed'). Nothing was kept, because the backup would carry the damage. Find the damaged relations (amcheck, pg_checksums on a stopped copy) and repair them from a replica or an earlier backup.")
            { Target = connection.Endpoint };
        }

        return exitCode is { } code
            ? PgErrorTranslator.FromToolOutput(source, code, message, connection)
            : PgErrorTranslator.FromLibpq(source, message, sqlState, connection);
    }

    private static async Task<DateTimeOffset> ServerNowAsync(PgConnectionSettings connection, CancellationToken cancellationToken)
    {
        await using var db = new NpgsqlConnection(connection.NpgsqlConnectionString());
        await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT now()", db);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DateTime time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : DateTimeOffset.UtcNow;
    }

    /// <summary>Waits until every segment from the backup's start to its stop is in the repository's WAL archive.</summary>
    private async Task WaitForWalAsync(
        RepositorySession repository, ulong systemId, uint timeline, Lsn start, Lsn stop, int segmentSize, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        var (first, last) = WalFileName.SegmentRange(start, stop, segmentSize);
        logger.Information("Waiting for WAL {First} to {Last} to be archived into the repository", WalFileName.Segment(timeline, first, segmentSize), WalFileName.Segment(timeline, last, segmentSize));
        var deadline = context.Time.GetUtcNow() + timeout;
        while (true)
        {
            using var archive = WalArchive.Open(repository, systemId);
            var present = archive.List().Where(f => f.Name.Timeline == timeline && f.Name.Kind == WalFileKind.Segment).Select(f => f.Name);
            var report = WalContinuity.Check(present, TimelineHistory.Initial(timeline), segmentSize, first, last);
            if (report.IsContinuous && report.SegmentCount == last - first + 1)
            {
                return;
            }

            if (context.Time.GetUtcNow() > deadline)
            {
                throw new PgBackupException(
                    "WalNotArchived",
                    ErrorKind.ResourceUnavailable,
                    $"The base backup is complete, but WAL {report.Gaps[0]} did not arrive in the repository's archive within {timeout.TotalSeconds:0} s, so the backup could not be restored and was not kept. Check that archive_command archives into '{repository.Layout.Root}' (Get-PgWalArchiveCommand) and pg_stat_archiver for failures.")
                { Target = repository.Layout.Root };
            }

            await Task.Delay(WalPollInterval, context.Time, cancellationToken).ConfigureAwait(false);
        }
    }
}
