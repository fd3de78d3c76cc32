using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Logging;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Point-in-time restore: picks the base backup, checks that the archive holds the WAL it needs, extracts it
/// into an empty folder (authenticating, decrypting and checking each file's CRC32C on the way), configures
/// recovery with restore_command = pgbt-wal archive-get, and with Start runs recovery to the target.
/// </summary>
public sealed class PhysicalRestoreJob(JobContext context)
{
    private const int ReadBufferSize = 1 << 20;

    public async Task<PhysicalRestoreResult> RunAsync(PhysicalRestoreRequest request, CancellationToken cancellationToken)
    {
        using var log = RunLog.Create(context, "Restore-PgBackup");
        var logger = log.Logger;
        var startTimestamp = context.Time.GetTimestamp();
        using var repository = BackupRepository.Open(request.Repository);
        repository.Unlock(request.Key);

        var chosen = PhysicalBackupChooser.Choose(repository, request.Target, request.BackupId, request.SystemIdentifier);
        using var reading = BackupReadLock.Acquire(repository.Layout, chosen.Id, $"Restore of backup {chosen.Id}", context.Time);
        var stored = ManifestStore.Load(repository, chosen.Id);
        var facts = stored.Manifest.Physical ?? throw new PgBackupException(
            "BackupTypeMismatch", ErrorKind.InvalidArgument, $"Backup '{chosen.Id}' is not a physical backup.") { Target = chosen.Id };
        logger.Information(
            "Restoring physical backup {BackupId} (consistent at {ConsistentAt:u}, WAL {Start} to {Stop}) into {Target}, recovering to {RecoveryTarget}",
            chosen.Id, facts.ConsistentAt, facts.StartLsn, facts.StopLsn, request.TargetPath, request.Target.Description);

        IReadOnlyList<WalStoredFile> archived;
        using (var archive = WalArchive.Open(repository, facts.SystemId()))
        {
            archived = archive.List();
        }

        CheckWal(repository, facts, archived, request.Target, logger);
        var pgCtl = request.Start ? await PgServerTools.FindPgCtlAsync(context.PgBinDirectory, facts.ServerMajorVersion, cancellationToken).ConfigureAwait(false) : null;

        var account = ServerAccount.Current();
        await account.RequireAccessAsync(RestoreCommandInputs(repository, request, archived), cancellationToken).ConfigureAwait(false);
        using var dataKey = stored.Manifest.Encryption is { } e ? repository.Master!.UnwrapDataKey(e.WrappedDataKey, chosen.Id) : null;
        var pgManifestBytes = await stored.ReadAllAsync("pgmanifest", dataKey, cancellationToken).ConfigureAwait(false);
        var pgManifest = PgBackupManifest.Parse(pgManifestBytes);
        long files, bytes;
        try
        {
            (files, bytes) = await ExtractAsync(stored, dataKey, pgManifest, request.TargetPath, cancellationToken).ConfigureAwait(false);
            WriteManifestIfAbsent(request.TargetPath, pgManifestBytes);
        }
        catch (Exception ex) when (ex is not PgBackupException { ErrorId: "RestoreTargetNotEmpty" })
        {
            // The folder was empty (the extractor insists): leave it so, and the restore can simply be run again.
            EmptyFolder(request.TargetPath);
            throw;
        }

        logger.Information("Extracted {Files} files ({Bytes} bytes), every CRC32C checked against backup_manifest", files, bytes);

        var restoreCommand = WalArchiveCommandBuilder.Build(
            request.WalToolPath, repository.Layout.Root, request.KeyFilePath, request.Key is PassphraseKeySource, WalToolOptions.DefaultCompression,
            OperatingSystem.IsWindows(), facts.SystemIdentifier).RestoreCommand;
        RecoveryConfiguration.Write(request.TargetPath, chosen.Id, restoreCommand, request.Target, request.Port, request.KeepArchiving, context.Time.GetUtcNow());
        await account.GiveAsync(request.TargetPath, cancellationToken).ConfigureAwait(false);

        var result = new PhysicalRestoreResult
        {
            BackupId = chosen.Id,
            TargetPath = request.TargetPath,
            Target = request.Target.Description,
            Duration = context.Time.GetElapsedTime(startTimestamp),
            Files = files,
            Bytes = bytes,
            Port = request.Port,
            RestoreCommand = restoreCommand,
        };
        if (pgCtl is null)
        {
            logger.Information("Recovery is configured; it runs when the server is started on {Target}", request.TargetPath);
            return result;
        }

        var server = new RecoveryServer(pgCtl.Path, request.TargetPath, account, RecoveryServer.EnvironmentFor(request.Key), context.Time);
        context.Reporter.Progress(new JobProgress(1, $"Recovering {request.TargetPath}", $"replaying WAL to {request.Target.Description}"));
        RecoveryOutcome outcome;
        try
        {
            outcome = await server.RecoverAsync(facts.BootstrapSuperuser, request.RecoveryTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (PgBackupException ex) when (ex.ErrorId == "RecoveryFailed" && ex.Message.Contains(TargetNotReachedMessage, StringComparison.Ordinal))
        {
            throw TargetNotReached(chosen, request, server.RecoveryLog, ex);
        }

        logger.Information("Recovery finished at WAL {Lsn} (last transaction {Time:u}), now on timeline {Timeline}", outcome.ReplayLsn, outcome.LastTransactionTime, outcome.Timeline);
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        logger.Information("The restored server is running from {Target}", request.TargetPath);
        return result with
        {
            Duration = context.Time.GetElapsedTime(startTimestamp),
            Recovered = true,
            Running = true,
            ReachedLsn = outcome.ReplayLsn,
            ReachedTime = outcome.LastTransactionTime,
            Timeline = outcome.Timeline,
        };
    }

    /// <summary>
    /// The WAL from the backup's start to its stop must all be there, or the restore could not even become
    /// consistent. A hole later on is fatal for "latest" (recovery would stop at it); for an earlier target it
    /// may not matter, so it is logged and recovery itself stops there if it must.
    /// </summary>
    private static void CheckWal(RepositorySession repository, PhysicalFacts facts, IReadOnlyList<WalStoredFile> archived, RecoveryTarget target, ILogger logger)
    {
        var segmentSize = facts.WalSegmentSize;
        var (first, last) = facts.WalSegments();
        var present = archived.Select(f => f.Name).ToList();
        var history = TimelineHistory.Initial(facts.Timeline);
        if (!facts.IncludesWal)
        {
            var needed = WalContinuity.Check(present, history, segmentSize, first, last);
            if (!needed.IsContinuous)
            {
                throw new PgBackupException(
                    "WalMissing",
                    ErrorKind.ObjectNotFound,
                    $"WAL {needed.Gaps[0]} is missing from the archive in '{repository.Layout.Root}'; backup needs it to become consistent, so it cannot be restored. Restore those segments from a copy of the repository, or use an older backup with -Id.")
                { Target = needed.Gaps[0].First.Name };
            }
        }

        var after = WalContinuity.Check(present, history, segmentSize, first);
        if (!after.IsContinuous)
        {
            var gap = after.Gaps[0];
            if (target.Kind == RecoveryTargetKind.Latest)
            {
                throw new PgBackupException(
                    "WalGap",
                    ErrorKind.ObjectNotFound,
                    $"The WAL archive has a hole at {gap}: recovery to the latest point would stop there without replaying what follows. Recover to a point before it (-PointInTime or -TargetLsn), or put the missing segments back.")
                { Target = gap.First.Name };
            }

            logger.Warning("The WAL archive has a hole at {Gap}; recovery stops with an error there if the target lies beyond it", gap.ToString());
        }
    }

    /// <summary>What restore_command touches: pgbt-wal, the repository's configuration, the key file, and the archived WAL.</summary>
    private static IEnumerable<(string Path, string Test)> RestoreCommandInputs(RepositorySession repository, PhysicalRestoreRequest request, IReadOnlyList<WalStoredFile> archived)
    {
        yield return (request.WalToolPath, "-x");
        yield return (repository.Layout.ConfigFile, "-r");
        if (request.KeyFilePath is not null)
        {
            yield return (request.KeyFilePath, "-r");
        }

        if (archived.MaxBy(f => f.StoredAt) is { } newest)
        {
            yield return (newest.Path, "-r");
        }
    }

    private static void EmptyFolder(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    /// <summary>PostgreSQL's words when the WAL runs out before an explicit recovery target.</summary>
    private const string TargetNotReachedMessage = "recovery ended before configured recovery target was reached";

    private static PgBackupException TargetNotReached(Backup chosen, PhysicalRestoreRequest request, string recoveryLog, PgBackupException failure)
    {
        var why = request.Target.Kind == RecoveryTargetKind.Name
            ? $"No restore point named '{request.Target.Name}' follows backup {chosen.Id} (consistent at {chosen.ConsistentAt:u}) in the archived WAL. A restore point made before that backup ended can only be reached from an older one: give its -Id (Get-PgBackup -Database '(cluster)'). Check the name, too."
            : "Either it has not been archived yet (check pg_stat_archiver, or run SELECT pg_switch_wal() on the server), or it lies in the future.";
        return new PgBackupException(
            "RecoveryTargetNotReached",
            ErrorKind.ObjectNotFound,
            $"Recovery from backup {chosen.Id} replayed all the archived WAL without reaching {request.Target.Description}. {why} Nothing was started; the recovery log is '{recoveryLog}'.",
            failure)
        { Target = request.TargetPath };
    }

    /// <summary>
    /// A server-compressed backup's tar has no backup_manifest (it travels beside it); the restored directory gets
    /// one all the same, as pg_basebackup leaves, so pg_verifybackup can check the copy.
    /// </summary>
    private static void WriteManifestIfAbsent(string target, byte[] manifest)
    {
        var path = Path.Combine(target, "backup_manifest");
        if (!File.Exists(path))
        {
            SecureFileSystem.WriteAllBytesAtomic(path, manifest);
        }
    }

    private async Task<(long Files, long Bytes)> ExtractAsync(StoredBackup stored, DataKey? dataKey, PgBackupManifest pgManifest, string target, CancellationToken cancellationToken)
    {
        var entry = stored.RequireFile("base");
        using var extractor = new TarExtractor(target, new TarExtractorOptions { Manifest = pgManifest });
        var parser = new TarStreamParser(extractor);
        var meter = new ProgressMeter(context.Reporter, 1, $"Extracting into {target}", context.Time);
        await using var reader = StoredFileReader.Open(stored.Directory, entry, dataKey, stored.Manifest.Id);
        var buffer = new byte[ReadBufferSize];
        long done = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            parser.Feed(buffer.AsSpan(0, read));
            done += read;
            meter.ReportOf(done, entry.PlainBytes);
        }

        parser.Complete();
        meter.Complete();
        return (extractor.FileCount, extractor.TotalBytes);
    }
}
