using System.Runtime.InteropServices;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// File operations with the repository's guarantees: 0700 folders, 0600 files (set at creation, never
/// widened afterwards), fsync of files and of the folders that hold renamed entries.
/// </summary>
public static class SecureFileSystem
{
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, DirMode0700);
    }

    /// <summary>Creates a new file (fails if it exists) with mode 0600 from its first byte.</summary>
    public static FileStream CreateNewPrivateFile(string path, int bufferSize = 1 << 16)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = bufferSize,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode0600;
        }

        return new FileStream(path, options);
    }

    /// <summary>Writes bytes to a temporary sibling, fsyncs it, renames it over the target and fsyncs the folder.</summary>
    public static void WriteAllBytesAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = CreateNewPrivateFile(temp))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            SyncDirectory(Path.GetDirectoryName(path)!);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Makes a rename or create inside the folder durable (POSIX needs an fsync of the folder itself).</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = NativeMethods.open(directory, NativeMethods.O_RDONLY);
        if (fd < 0)
        {
            return;
        }

        try
        {
            NativeMethods.fsync(fd);
        }
        finally
        {
            NativeMethods.close(fd);
        }
    }

    public static void EnsureWritable(string directory)
    {
        var probe = Path.Combine(directory, ".write-probe-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (CreateNewPrivateFile(probe))
            {
            }

            File.Delete(probe);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new PgBackupException(
                "RepositoryNotWritable",
                ErrorKind.PermissionDenied,
                $"Cannot write to repository folder '{directory}': {ex.Message} Check the folder's permissions and free space.",
                ex) { Target = directory };
        }
    }

    private static class NativeMethods
    {
        public const int O_RDONLY = 0;

        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
