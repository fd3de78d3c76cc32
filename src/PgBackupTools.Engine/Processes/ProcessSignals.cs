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
    /// from /proc on Linux; elsewhere only the program name is known.
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

    /// <summary>True when <paramref name="processId"/> is a live process of <paramref name="program"/> (file name, no extension).</summary>
    public static bool IsRunning(int processId, string program, string? argument = null)
    {
        var commandLine = CommandLine(processId);
        if (commandLine is null || commandLine.Count == 0)
        {
            return false;
        }

        var name = Path.GetFileNameWithoutExtension(commandLine[0]);
        var matches = string.Equals(name, program, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        return matches && (argument is null || commandLine.Count == 1 || commandLine.Contains(argument));
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int kill(int pid, int sig);
    }
}
