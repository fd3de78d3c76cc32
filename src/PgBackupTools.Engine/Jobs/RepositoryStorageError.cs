using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Turns an I/O failure while writing a backup into the error users act on: disk full, or another write failure.</summary>
internal static class RepositoryStorageError
{
    public static PgBackupException From(IOException ex, string directory)
    {
        const int DiskFullUnix = 28;
        const int DiskFullWindows = 0x70;
        var full = (ex.HResult & 0xFFFF) is DiskFullUnix or DiskFullWindows || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
        return full
            ? new PgBackupException("RepositoryDiskFull", ErrorKind.LimitsExceeded, $"The repository volume is full while writing '{directory}'. Free space or move the repository; the partial backup was removed.", ex) { Target = directory }
            : new PgBackupException("RepositoryWriteFailed", ErrorKind.WriteError, $"Writing to the repository failed at '{directory}': {ex.Message} The partial backup was removed.", ex) { Target = directory };
    }
}
