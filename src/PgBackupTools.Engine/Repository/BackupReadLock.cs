using System.Globalization;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// A restore or verification reading a backup holds a read lock on it, so retention leaves that backup alone
/// until the reader is done. Each reader has its own lock file (readers never wait for each other); like every
/// repository lock it is an OS lock, so a reader that dies releases it.
/// </summary>
public static class BackupReadLock
{
    private const string Prefix = "read-";

    /// <summary>Null when the repository is read-only (a mounted copy, say): then nothing can remove the backup anyway.</summary>
    public static RepositoryLock? Acquire(RepositoryLayout layout, string backupId, string description, TimeProvider time)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{backupId}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            // The name is new, so nothing can hold it: this never waits.
            return RepositoryLock.AcquireAsync(layout, name, description, TimeSpan.Zero, time, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException or PgBackupException { ErrorId: "RepositoryLocked" })
        {
            return null;
        }
    }

    /// <summary>True while any reader holds a read lock on the backup; lock files of readers that died are removed.</summary>
    public static bool IsHeld(RepositoryLayout layout, string backupId)
    {
        if (!Directory.Exists(layout.LocksDirectory))
        {
            return false;
        }

        var held = false;
        foreach (var file in Directory.EnumerateFiles(layout.LocksDirectory, $"{Prefix}{backupId}-*.lock"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (RepositoryLock.IsHeld(layout, name))
            {
                held = true;
            }
            else
            {
                File.Delete(file + ".json");
                File.Delete(file);
            }
        }

        return held;
    }
}
