using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// An exclusive lock on one name inside the repository (one database of one server, or the whole
/// repository). It is an OS file lock on an open handle, so a process that dies releases it: a lock file
/// left by a dead process is stale by definition and is simply taken over. The holder is described in a
/// sidecar JSON file for error messages.
/// </summary>
public sealed class RepositoryLock : IDisposable
{
    private readonly FileStream _handle;
    private readonly string _infoPath;

    private RepositoryLock(FileStream handle, string infoPath, bool tookOverStale)
    {
        _handle = handle;
        _infoPath = infoPath;
        TookOverStaleLock = tookOverStale;
    }

    /// <summary>True when a lock file of a process that no longer holds it was found and reused.</summary>
    public bool TookOverStaleLock { get; }

    public static string DatabaseLockName(string server, string database) =>
        "db-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(server + "\n" + database)))[..16].ToLowerInvariant();

    /// <summary>Takes the lock, waiting up to <paramref name="wait"/> for a live holder to finish.</summary>
    public static async Task<RepositoryLock> AcquireAsync(
        RepositoryLayout layout, string name, string description, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var path = Path.Combine(layout.LocksDirectory, name + ".lock");
        var infoPath = path + ".json";
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            var existed = File.Exists(path);
            if (TryOpen(path, out var handle))
            {
                var stale = existed && File.Exists(infoPath);
                var holder = new LockHolder(Environment.ProcessId, Environment.MachineName, description, time.GetUtcNow());
                SecureFileSystem.WriteAllBytesAtomic(infoPath, JsonSerializer.SerializeToUtf8Bytes(holder));
                return new RepositoryLock(handle!, infoPath, stale);
            }

            if (time.GetUtcNow() >= deadline)
            {
                var holder = ReadHolder(infoPath);
                var by = holder is null
                    ? "another process"
                    : $"process {holder.ProcessId} on {holder.MachineName} ({holder.Description}) since {holder.Since:u}";
                throw new PgBackupException(
                    "RepositoryLocked",
                    ErrorKind.ResourceBusy,
                    $"{description} is locked by {by}. Wait for it to finish; a lock of a process that died is released automatically.")
                { Target = path };
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True if somebody holds the lock right now (used to tell in-progress from abandoned work).</summary>
    public static bool IsHeld(RepositoryLayout layout, string name)
    {
        var path = Path.Combine(layout.LocksDirectory, name + ".lock");
        if (!File.Exists(path))
        {
            return false;
        }

        if (TryOpen(path, out var handle))
        {
            handle!.Dispose();
            return false;
        }

        return true;
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_infoPath);
        }
        catch (IOException)
        {
        }

        _handle.Dispose();
    }

    private static bool TryOpen(string path, out FileStream? handle)
    {
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            handle = new FileStream(path, options);
            return true;
        }
        catch (IOException)
        {
            handle = null;
            return false;
        }
    }

    private static LockHolder? ReadHolder(string infoPath)
    {
        try
        {
            return JsonSerializer.Deserialize<LockHolder>(File.ReadAllBytes(infoPath));
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record LockHolder(int ProcessId, string MachineName, string Description, DateTimeOffset Since);
}
