using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Jobs;

/// <summary>The base backup a point-in-time restore starts from: the newest one that is consistent before the target.</summary>
public static class PhysicalBackupChooser
{
    public static Backup Choose(RepositorySession repository, RecoveryTarget target, string? backupId, string? systemIdentifier)
    {
        var physical = ManifestStore.List(repository, includeIncomplete: false).Backups
            .Where(b => b.Type == BackupType.Physical && b.Status == BackupStatus.Complete)
            .ToList();
        if (backupId is not null)
        {
            var chosen = physical.FirstOrDefault(b => b.Id == backupId) ?? throw new PgBackupException(
                "BackupNotFound", ErrorKind.ObjectNotFound, $"Repository '{repository.Layout.Root}' has no physical backup '{backupId}'. List them with Get-PgBackup -Database '(cluster)'.")
            { Target = backupId };
            if (!EndsBefore(chosen, target))
            {
                throw new PgBackupException(
                    "BackupAfterTarget",
                    ErrorKind.InvalidArgument,
                    $"Backup '{backupId}' became consistent at {chosen.ConsistentAt:u} (WAL {chosen.StopLsn}), after the recovery target ({target.Description}); recovery cannot go back in time. Choose an older backup, or omit -Id.")
                { Target = backupId };
            }

            return chosen;
        }

        var systems = physical.Select(b => b.SystemIdentifier).Distinct().ToList();
        if (systemIdentifier is null && systems.Count > 1)
        {
            throw new PgBackupException(
                "AmbiguousCluster",
                ErrorKind.InvalidArgument,
                $"Repository '{repository.Layout.Root}' holds physical backups of {systems.Count} clusters ({string.Join(", ", systems)}). Say which one with -Id.");
        }

        var candidates = physical.Where(b => systemIdentifier is null || b.SystemIdentifier == systemIdentifier).ToList();
        return candidates.Where(b => EndsBefore(b, target)).MaxBy(b => b.ConsistentAt) ?? throw new PgBackupException(
            candidates.Count == 0 ? "BackupNotFound" : "NoBackupBeforeTarget",
            ErrorKind.ObjectNotFound,
            candidates.Count == 0
                ? $"Repository '{repository.Layout.Root}' has no physical backup. Take one with Invoke-PgBackup -Type Physical."
                : $"No physical backup in '{repository.Layout.Root}' is consistent before {target.Description}; the oldest became consistent at {candidates.Min(b => b.ConsistentAt):u}. Recover to a later point.");
    }

    private static bool EndsBefore(Backup backup, RecoveryTarget target) => target.Kind switch
    {
        RecoveryTargetKind.Time => backup.ConsistentAt <= target.Time,
        RecoveryTargetKind.Lsn => Lsn.TryParse(backup.StopLsn, out var stop) && stop <= target.Lsn,
        _ => true,
    };
}
