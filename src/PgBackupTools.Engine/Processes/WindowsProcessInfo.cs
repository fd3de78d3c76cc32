using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace PgBackupTools.Engine.Processes;

/// <summary>
/// One process of another program, asked directly by id: its image path, start time, and TerminateProcess.
/// Process.GetProcessById walks the whole process list on Windows for each call (slow, and under Wine racy).
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe class WindowsProcessInfo
{
    private const uint ProcessTerminate = 0x0001;
    private const uint ProcessQueryLimitedInformation = 0x1000;
    private const int StillActive = 259;

    /// <summary>The full path of the program of a live process, or null when it does not exist, has exited or may not be asked.</summary>
    public static string? ImagePath(int processId)
    {
        using var process = Open(processId, ProcessQueryLimitedInformation);
        if (process is null || !IsAlive(process))
        {
            return null;
        }

        var buffer = stackalloc char[32768];
        var length = 32768;
        return QueryFullProcessImageNameW(process.Handle, 0, buffer, ref length) ? new string(buffer, 0, length) : null;
    }

    public static DateTimeOffset? StartTime(int processId)
    {
        using var process = Open(processId, ProcessQueryLimitedInformation);
        if (process is null || !IsAlive(process) || !GetProcessTimes(process.Handle, out var creation, out _, out _, out _))
        {
            return null;
        }

        return DateTimeOffset.FromFileTime(creation).ToUniversalTime();
    }

    public static bool Terminate(int processId)
    {
        using var process = Open(processId, ProcessTerminate | ProcessQueryLimitedInformation);
        return process is not null && IsAlive(process) && TerminateProcess(process.Handle, 1);
    }

    private static bool IsAlive(ProcessHandle process) => GetExitCodeProcess(process.Handle, out var code) && code == StillActive;

    private static ProcessHandle? Open(int processId, uint access)
    {
        var handle = processId > 0 ? OpenProcess(access, false, processId) : IntPtr.Zero;
        return handle == IntPtr.Zero ? null : new ProcessHandle(handle);
    }

    private sealed class ProcessHandle(IntPtr handle) : IDisposable
    {
        public IntPtr Handle { get; } = handle;

        public void Dispose() => CloseHandle(Handle);
    }

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern IntPtr OpenProcess(uint access, bool inheritHandle, int processId);

    [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode, ExactSpelling = true)]
    private static extern bool QueryFullProcessImageNameW(IntPtr process, int flags, char* name, ref int size);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool GetProcessTimes(IntPtr process, out long creation, out long exit, out long kernel, out long user);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool GetExitCodeProcess(IntPtr process, out int exitCode);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool TerminateProcess(IntPtr process, int exitCode);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool CloseHandle(IntPtr handle);
}
