using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Logging;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Repository;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Test-PgBackup: proves a backup can come back, at the requested depth, and records the result with the
/// backup. Each level runs every check of the levels below it; a check that cannot run is never Passed.
/// </summary>
public sealed class VerificationJob(JobContext context)
{
    public async Task<VerificationResult> RunAsync(VerificationRequest request, CancellationToken cancellationToken)
    {
        using var log = RunLog.Create(context, "Test-PgBackup");
        var logger = log.Logger;
        var time = context.Time;
        var started = time.GetUtcNow();
        var startTimestamp = time.GetTimestamp();
        var level = request.EffectiveLevel;
        using var repository = BackupRepository.Open(request.Repository);
        repository.Unlock(request.Key);
        var backupId = request.Backup.Resolve(repository);
        using var reading = BackupReadLock.Acquire(repository.Layout, backupId, $"Verification of backup {backupId}", context.Time);
        logger.Information("Verifying backup {BackupId} at level {Level}", backupId, level);

        var checks = new List<VerificationCheck>();
        StoredBackup? stored = null;
        checks.Add(await CheckTimer.RunAsync("manifest", time, () =>
        {
            stored = ManifestStore.Load(repository, backupId);
            return Task.FromResult($"authenticated ({(stored.Authenticated ? "HMAC-SHA256 with the repository key" : "SHA-256, unencrypted repository")})");
        }).ConfigureAwait(false));

        // A physical backup's trial recovery runs locally; a logical one needs a server to restore into.
        var physical = stored?.Manifest.Physical is not null;
        if (level == VerificationLevel.Restore && request.Scratch is null && !physical)
        {
            throw new PgBackupException(
                "ScratchServerRequired",
                ErrorKind.InvalidArgument,
                "-Level Restore needs a scratch server to restore into: give -ScratchHost/-ScratchPort (and -ScratchCredential) or -ScratchConnectionString.");
        }

        var restore = new TrialRestoreOutcome();
        if (stored is not null)
        {
            using var dataKey = stored.Manifest.Encryption is { } e ? repository.Master!.UnwrapDataKey(e.WrappedDataKey, backupId) : null;
            await RunLevelsAsync(request, level, repository, stored, dataKey, checks, restore, logger, cancellationToken).ConfigureAwait(false);
        }

        var result = new VerificationResult
        {
            BackupId = backupId,
            Database = stored?.Manifest.Database ?? "",
            Level = level,
            Status = VerificationResult.Combine(checks),
            Checks = checks,
            StartTime = started,
            Duration = time.GetElapsedTime(startTimestamp),
            RestoreDuration = restore.RestoreDuration,
            TablesCompared = restore.TablesCompared,
            RowMismatches = restore.RowMismatches,
            ScratchServer = level == VerificationLevel.Restore ? request.Scratch?.Endpoint ?? (physical ? "local temporary cluster" : null) : null,
        };
        if (stored is not null)
        {
            VerificationStore.Save(repository, stored.Directory, result);
        }

        logger.Information("Verification of {BackupId}: {Status} ({Checks} checks)", backupId, result.Status, checks.Count);
        return result;
    }

    private async Task RunLevelsAsync(
        VerificationRequest request, VerificationLevel level, RepositorySession repository, StoredBackup stored, DataKey? dataKey, List<VerificationCheck> checks,
        TrialRestoreOutcome restore, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var file in stored.Manifest.Files)
        {
            checks.Add(await CheckTimer.RunAsync($"file {file.Name}", context.Time, async () =>
            {
                await using var reader = StoredFileReader.Open(stored.Directory, file, dataKey, stored.Manifest.Id, decompress: false);
                await reader.CopyToAsync(Stream.Null, 1 << 20, cancellationToken).ConfigureAwait(false);
                return $"{file.SizeBytes} bytes, SHA-256 matches{(dataKey is null ? "" : ", every chunk authenticated")}";
            }).ConfigureAwait(false));
        }

        if (stored.Manifest.Physical is not null && checks.All(c => c.Status == VerificationStatus.Passed))
        {
            await new PhysicalVerification(context, repository, stored, dataKey, logger).AddChecksAsync(request, level, checks, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (level == VerificationLevel.Checksum || checks.Any(c => c.Status != VerificationStatus.Passed))
        {
            return;
        }

        var catalog = stored.Manifest.FindFile("catalog") is null ? null : await stored.ReadCatalogAsync(dataKey, cancellationToken).ConfigureAwait(false);
        var pgRestore = await new PgToolLocator(context.PgBinDirectory).FindAsync(PgToolNames.PgRestore, DumpVersion.Major(stored.Manifest), cancellationToken).ConfigureAwait(false);
        checks.Add(await CheckTimer.RunAsync("archive table of contents", context.Time, async () =>
        {
            var runner = new PgRestoreRunner(pgRestore, stored, dataKey, null, null, logger, null);
            var list = await runner.ListAsync(null, cancellationToken).ConfigureAwait(false);
            return ArchiveStructure.Compare(list, catalog);
        }).ConfigureAwait(false));

        if (level == VerificationLevel.Restore && checks[^1].Status == VerificationStatus.Passed)
        {
            var trial = new TrialRestore(context, pgRestore, stored, dataKey, catalog!, logger);
            checks.AddRange(await trial.RunAsync(request.Scratch!, request.AllowSourceServer, request.Jobs, restore, cancellationToken).ConfigureAwait(false));
        }
    }
}

/// <summary>What a trial restore measured, for the result object.</summary>
internal sealed class TrialRestoreOutcome
{
    public TimeSpan? RestoreDuration { get; set; }
    public int TablesCompared { get; set; }
    public int RowMismatches { get; set; }
}
