using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace PgBackupTools.WindowsChecks;

/// <summary>A job object like the ones Task Scheduler, remoting hosts and CI agents run their processes in.</summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class Job : IDisposable
{
    private const int JobObjectExtendedLimitInformation = 9;
    private const uint BreakawayOk = 0x0800;
    private const uint KillOnJobClose = 0x2000;

    private IntPtr _handle;

    private Job(IntPtr handle) => _handle = handle;

    public static Job Create(bool killOnClose, bool breakawayOk)
    {
        var handle = CreateJobObjectW(IntPtr.Zero, null);
        if (handle == IntPtr.Zero)
        {
            throw new Win32Exception(Marshal.GetLastWin32Error());
        }

        // JOBOBJECT_EXTENDED_LIMIT_INFORMATION (x64): LimitFlags at offset 16 of its 144 bytes.
        var info = stackalloc byte[144];
        new Span<byte>(info, 144).Clear();
        *(uint*)(info + 16) = (killOnClose ? KillOnJobClose : 0) | (breakawayOk ? BreakawayOk : 0);
        if (!SetInformationJobObject(handle, JobObjectExtendedLimitInformation, info, 144))
        {
            throw new Win32Exception(Marshal.GetLastWin32Error());
        }

        return new Job(handle);
    }

    public void AssignCurrentProcess()
    {
        if (!AssignProcessToJobObject(_handle, GetCurrentProcess()))
        {
            throw new Win32Exception(Marshal.GetLastWin32Error());
        }
    }

    public void Dispose()
    {
        if (_handle != IntPtr.Zero)
        {
            CloseHandle(_handle);
            _handle = IntPtr.Zero;
        }
    }

    [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode, ExactSpelling = true)]
    private static extern IntPtr CreateJobObjectW(IntPtr attributes, string? name);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool SetInformationJobObject(IntPtr job, int informationClass, byte* information, int length);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool AssignProcessToJobObject(IntPtr job, IntPtr process);

    [DllImport("kernel32.dll")]
    private static extern IntPtr GetCurrentProcess();

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool CloseHandle(IntPtr handle);
}
