using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// Deletes backups so that a crash at any point leaves either the backup listed and whole, or unlisted: one
/// rename of backups/&lt;id&gt; (or .incomplete-&lt;id&gt;) to backups/.deleting-&lt;id&gt;, an fsync of backups/,
/// then the files. A later run finishes what a crash left (<see cref="FinishInterrupted"/>). Callers hold the
/// repository's retention lock.
/// </summary>
public static class BackupRemover
{
    /// <summary>Removes the .deleting- folders an interrupted run left behind; returns the bytes freed.</summary>
    public static BackupRemoval FinishInterrupted(RepositoryLayout layout)
    {
        long bytes = 0;
        var count = 0;
        if (!Directory.Exists(layout.BackupsDirectory))
        {
            return new BackupRemoval(0, 0);
        }

        foreach (var directory in Directory.EnumerateDirectories(layout.BackupsDirectory, RepositoryLayout.DeletingPrefix + "*"))
        {
            bytes += DeleteTree(directory);
            count++;
        }

        if (count > 0)
        {
            SecureFileSystem.SyncDirectory(layout.BackupsDirectory);
        }

        return new BackupRemoval(count, bytes);
    }

    /// <summary>
    /// Removes one committed backup, or one abandoned run (<paramref name="status"/> Incomplete). A run whose
    /// database lock is held is still being written and is refused (BackupInUse).
    /// </summary>
    public static BackupRemoval Remove(RepositoryLayout layout, string backupId, BackupStatus status)
    {
        if (!BackupId.IsValid(backupId))
        {
            throw new PgBackupException("BackupNotFound", ErrorKind.ObjectNotFound, $"'{backupId}' is not a backup id.") { Target = backupId };
        }

        var source = status == BackupStatus.Complete ? layout.BackupDirectory(backupId) : layout.IncompleteDirectory(backupId);
        if (status != BackupStatus.Complete)
        {
            RefuseLiveRun(layout, source, backupId);
        }
        else if (BackupReadLock.IsHeld(layout, backupId))
        {
            // Checked again here, just before the backup leaves the listing: a reader may have started since the plan.
            throw new PgBackupException(
                "BackupBeingRead",
                ErrorKind.ResourceBusy,
                $"Backup '{backupId}' is being read by a restore or verification right now, so it is not removed; the next retention run will remove it if it is still expired.")
            { Target = backupId };
        }

        if (!Directory.Exists(source))
        {
            return new BackupRemoval(0, 0);
        }

        var deleting = Path.Combine(layout.BackupsDirectory, RepositoryLayout.DeletingPrefix + backupId);
        if (Directory.Exists(deleting))
        {
            DeleteTree(deleting);
        }

        var bytes = SizeOf(source);
        try
        {
            Directory.Move(source, deleting);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PgBackupException(
                "BackupRemovalFailed",
                ErrorKind.WriteError,
                $"Could not remove backup '{backupId}': {ex.Message} It is still listed and intact.",
                ex) { Target = backupId };
        }

        SecureFileSystem.SyncDirectory(layout.BackupsDirectory);
        DeleteTree(deleting);
        SecureFileSystem.SyncDirectory(layout.BackupsDirectory);
        return new BackupRemoval(1, bytes);
    }

    private static void RefuseLiveRun(RepositoryLayout layout, string directory, string backupId)
    {
        // Without run.json the lock is unknown; a run deletes it just before committing, so assume it is live.
        var marker = IncompleteMarker.TryRead(directory);
        if (Directory.Exists(directory) && (marker is null || RepositoryLock.IsHeld(layout, marker.LockName)))
        {
            throw new PgBackupException(
                "BackupInUse",
                ErrorKind.ResourceBusy,
                $"Backup run '{backupId}' is still being written (its database lock is held, or its run.json is missing); it was left untouched.")
            { Target = backupId };
        }
    }

    private static long SizeOf(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static long DeleteTree(string directory)
    {
        var bytes = SizeOf(directory);
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The backup is already unlisted; the next run finishes the deletion.
            throw new PgBackupException(
                "BackupRemovalFailed",
                ErrorKind.WriteError,
                $"Could not delete '{directory}': {ex.Message} It is no longer listed; the next retention run finishes the deletion.",
                ex) { Target = directory };
        }

        return bytes;
    }
}
