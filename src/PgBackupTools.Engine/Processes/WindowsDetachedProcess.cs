using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Processes;

/// <summary>
/// CreateProcessW with what .NET's Process cannot ask for: no console (CREATE_NO_WINDOW, so closing the window that
/// started it does not end it), its own process group (no Ctrl+C from that console), out of the caller's job object
/// where the job allows it (Task Scheduler, remoting and CI agents end their jobs' processes), stdout/stderr appended
/// to the log through a handle opened for append only, and only those two handles and NUL inherited.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe class WindowsDetachedProcess
{
    private const uint CreateNoWindow = 0x0800_0000;
    private const uint CreateNewProcessGroup = 0x0000_0200;
    private const uint CreateUnicodeEnvironment = 0x0000_0400;
    private const uint CreateBreakawayFromJob = 0x0100_0000;
    private const uint ExtendedStartupInfoPresent = 0x0008_0000;
    private const int StartfUseStdHandles = 0x0000_0100;
    private const int ErrorAccessDenied = 5;

    private const uint GenericRead = 0x8000_0000;
    private const uint FileAppendData = 0x0004;
    private const uint Synchronize = 0x0010_0000;
    private const uint ShareAll = 0x7;
    private const uint OpenExisting = 3;
    private const uint OpenAlways = 4;

    private const int JobObjectExtendedLimitInformation = 9;
    private const uint JobLimitBreakawayOk = 0x0800;
    private const uint JobLimitSilentBreakawayOk = 0x1000;
    private const uint JobLimitKillOnJobClose = 0x2000;

    private static readonly IntPtr ProcThreadAttributeHandleList = 0x0002_0002;

    public static DetachedProcessStart Start(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, string logPath)
    {
        using var input = OpenInheritable("NUL", GenericRead, OpenExisting);
        using var output = OpenInheritable(logPath, FileAppendData | Synchronize, OpenAlways);
        var commandLine = WindowsCommandLine.Build(program, arguments);
        var block = WindowsCommandLine.EnvironmentBlock(Environment.GetEnvironmentVariables(), environment);

        var job = CurrentJobLimits();
        var mustBreakAway = job is { } limits && (limits & JobLimitSilentBreakawayOk) == 0;
        if (TryCreate(commandLine, block, input, output, mustBreakAway, out var pid, out var error))
        {
            return new DetachedProcessStart(pid);
        }

        if (!(mustBreakAway && error == ErrorAccessDenied))
        {
            throw DetachedProcess.StartFailed(program, new Win32Exception(error).Message);
        }

        // The job forbids leaving it. Where closing the job kills its processes, the stream would die with the caller.
        if ((job!.Value & JobLimitKillOnJobClose) != 0)
        {
            throw new PgBackupException(
                "DetachedStartInJob",
                ErrorKind.InvalidOperation,
                $"Cannot start '{program}' to outlive this PowerShell: this process runs inside a Windows job object that kills its processes when it closes and forbids leaving it " +
                "(a remote session, a CI agent or an IDE terminal does this). Start it from an interactive PowerShell, or run pgbt-wal stream itself as a scheduled task (see Get-Help Start-PgWalStream -Full).")
            { Target = program };
        }

        if (TryCreate(commandLine, block, input, output, breakAway: false, out pid, out error))
        {
            return new DetachedProcessStart(pid, EndsWithJob: true);
        }

        throw DetachedProcess.StartFailed(program, new Win32Exception(error).Message);
    }

    /// <summary>The limit flags of the job this process is in, or null when it is in none.</summary>
    private static uint? CurrentJobLimits()
    {
        if (!IsProcessInJob(GetCurrentProcess(), IntPtr.Zero, out var inJob) || !inJob)
        {
            return null;
        }

        // JOBOBJECT_EXTENDED_LIMIT_INFORMATION is 144 bytes on x64; LimitFlags follows two LARGE_INTEGERs.
        var buffer = stackalloc byte[256];
        return QueryInformationJobObject(IntPtr.Zero, JobObjectExtendedLimitInformation, buffer, 256, out _)
            ? *(uint*)(buffer + 16)
            : JobLimitBreakawayOk;
    }

    private static bool TryCreate(string commandLine, string environmentBlock, SafeFileHandle input, SafeFileHandle output, bool breakAway, out int processId, out int error)
    {
        processId = 0;
        error = 0;
        var handles = stackalloc IntPtr[2] { input.DangerousGetHandle(), output.DangerousGetHandle() };
        nuint size = 0;
        InitializeProcThreadAttributeList(IntPtr.Zero, 1, 0, ref size);
        var attributes = Marshal.AllocHGlobal((nint)size);
        try
        {
            if (!InitializeProcThreadAttributeList(attributes, 1, 0, ref size))
            {
                error = Marshal.GetLastWin32Error();
                return false;
            }

            try
            {
                if (!UpdateProcThreadAttribute(attributes, 0, ProcThreadAttributeHandleList, handles, (nuint)(2 * IntPtr.Size), IntPtr.Zero, IntPtr.Zero))
                {
                    error = Marshal.GetLastWin32Error();
                    return false;
                }

                var startup = new StartupInfoEx
                {
                    StartupInfo = new StartupInfo
                    {
                        Size = sizeof(StartupInfoEx),
                        Flags = StartfUseStdHandles,
                        StdInput = input.DangerousGetHandle(),
                        StdOutput = output.DangerousGetHandle(),
                        StdError = output.DangerousGetHandle(),
                    },
                    AttributeList = attributes,
                };
                var flags = CreateNoWindow | CreateNewProcessGroup | CreateUnicodeEnvironment | ExtendedStartupInfoPresent | (breakAway ? CreateBreakawayFromJob : 0);
                var line = (commandLine + "\0").ToCharArray();
                fixed (char* linePointer = line)
                fixed (char* environmentPointer = environmentBlock)
                {
                    if (!CreateProcessW(null, linePointer, IntPtr.Zero, IntPtr.Zero, true, flags, environmentPointer, null, &startup, out var info))
                    {
                        error = Marshal.GetLastWin32Error();
                        return false;
                    }

                    CloseHandle(info.Thread);
                    CloseHandle(info.Process);
                    processId = info.ProcessId;
                    return true;
                }
            }
            finally
            {
                DeleteProcThreadAttributeList(attributes);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(attributes);
        }
    }

    private static SafeFileHandle OpenInheritable(string path, uint access, uint disposition)
    {
        var security = new SecurityAttributes { Length = sizeof(SecurityAttributes), InheritHandle = 1 };
        var handle = CreateFileW(path, access, ShareAll, &security, disposition, 0x80, IntPtr.Zero);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastWin32Error();
            handle.Dispose();
            throw new IOException($"Cannot open '{path}': {new Win32Exception(error).Message}");
        }

        return handle;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SecurityAttributes
    {
        public int Length;
        public IntPtr SecurityDescriptor;
        public int InheritHandle;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct StartupInfo
    {
        public int Size;
        public IntPtr Reserved;
        public IntPtr Desktop;
        public IntPtr Title;
        public int X;
        public int Y;
        public int XSize;
        public int YSize;
        public int XCountChars;
        public int YCountChars;
        public int FillAttribute;
        public int Flags;
        public short ShowWindow;
        public short Reserved2Size;
        public IntPtr Reserved2;
        public IntPtr StdInput;
        public IntPtr StdOutput;
        public IntPtr StdError;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct StartupInfoEx
    {
        public StartupInfo StartupInfo;
        public IntPtr AttributeList;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ProcessInformation
    {
        public IntPtr Process;
        public IntPtr Thread;
        public int ProcessId;
        public int ThreadId;
    }

    [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode, ExactSpelling = true)]
    private static extern bool CreateProcessW(
        string? applicationName, char* commandLine, IntPtr processAttributes, IntPtr threadAttributes, bool inheritHandles, uint creationFlags,
        char* environment, string? currentDirectory, StartupInfoEx* startupInfo, out ProcessInformation processInformation);

    [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode, ExactSpelling = true)]
    private static extern SafeFileHandle CreateFileW(
        string fileName, uint desiredAccess, uint shareMode, SecurityAttributes* securityAttributes, uint creationDisposition, uint flagsAndAttributes, IntPtr templateFile);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool InitializeProcThreadAttributeList(IntPtr attributeList, int attributeCount, int flags, ref nuint size);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool UpdateProcThreadAttribute(IntPtr attributeList, uint flags, IntPtr attribute, IntPtr* value, nuint size, IntPtr previousValue, IntPtr returnSize);

    [DllImport("kernel32.dll")]
    private static extern void DeleteProcThreadAttributeList(IntPtr attributeList);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool IsProcessInJob(IntPtr process, IntPtr job, out bool result);

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool QueryInformationJobObject(IntPtr job, int informationClass, byte* information, int length, out int returnLength);

    [DllImport("kernel32.dll")]
    private static extern IntPtr GetCurrentProcess();

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool CloseHandle(IntPtr handle);
}
