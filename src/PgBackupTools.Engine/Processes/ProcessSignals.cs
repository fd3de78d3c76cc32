using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PgBackupTools.Engine.Processes;

/// <summary>
/// Signals and identity checks for processes that are not our children (a detached pgbt-wal stream, a
/// pg_receivewal left behind). .NET can only SIGKILL; a clean stop needs SIGTERM or SIGINT.
/// </summary>
public static class ProcessSignals
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private static readonly TimeSpan StartTimeTolerance = TimeSpan.FromSeconds(1);

    /// <summary>Sends a signal (Unix only); false when the process does not exist (any more) or is not ours.</summary>
    public static bool Send(int processId, int signal)
    {
        if (OperatingSystem.IsWindows() || processId <= 0)
        {
            return false;
        }

        return Native.kill(processId, signal) == 0;
    }

    /// <summary>
    /// The command line of a live process, or null when it does not exist or has exited (a zombie has none). Read
    /// from /proc on Linux; on Windows only the program's path is known, elsewhere only its name.
    /// </summary>
    public static IReadOnlyList<string>? CommandLine(int processId)
    {
        if (processId <= 0)
        {
            return null;
        }

        if (OperatingSystem.IsLinux())
        {
            try
            {
                var text = File.ReadAllText($"/proc/{processId}/cmdline");
                return text.Length == 0 ? null : text.TrimEnd('\0').Split('\0');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        if (OperatingSystem.IsWindows())
        {
            return WindowsProcessInfo.ImagePath(processId) is { } image ? [image] : null;
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return process.HasExited ? null : [process.ProcessName];
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>When a live process started (UTC), or null when it does not exist or cannot be asked.</summary>
    public static DateTimeOffset? StartTime(int processId)
    {
        if (processId <= 0)
        {
            return null;
        }

        if (OperatingSystem.IsWindows())
        {
            return WindowsProcessInfo.StartTime(processId);
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when the process started at <paramref name="expected"/> (to the second): a process id can be reused, and on
    /// Windows only the program (not the arguments) can be read of another process, so an id alone does not identify it.
    /// </summary>
    public static bool StartedAt(int processId, DateTimeOffset expected) =>
        StartTime(processId) is { } actual && (actual - expected).Duration() < StartTimeTolerance;

    /// <summary>Ends a process at once (SIGKILL, TerminateProcess); false when it does not exist (any more).</summary>
    public static bool Kill(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            return WindowsProcessInfo.Terminate(processId);
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            process.Kill();
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when <paramref name="processId"/> is a live process of <paramref name="program"/> (file name, no extension),
    /// with <paramref name="argument"/> among its arguments where they can be read, and started at
    /// <paramref name="started"/> when that is given (see <see cref="StartedAt"/>).
    /// </summary>
    public static bool IsRunning(int processId, string program, string? argument = null, DateTimeOffset? started = null)
    {
        var commandLine = CommandLine(processId);
        if (commandLine is null || commandLine.Count == 0)
        {
            return false;
        }

        // A path on Linux, the bare name on Windows; only ".exe" is cut (a name may hold other dots).
        var name = Path.GetFileName(commandLine[0]);
        if (name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^4];
        }

        var matches = string.Equals(name, program, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        return matches
            && (argument is null || commandLine.Count == 1 || commandLine.Contains(argument))
            && (started is not { } at || StartedAt(processId, at));
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int kill(int pid, int sig);
    }
}
