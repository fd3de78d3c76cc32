using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace PgBackupTools.Engine.Processes;

/// <summary>
/// Enlarges a child's pipe from Linux's default 64 KiB to 1 MiB, so pg_dump and pg_restore exchange data with
/// us in large pieces instead of waking each other up sixteen times per megabyte. Best effort: elsewhere,
/// or when the system limit (/proc/sys/fs/pipe-max-size) is lower, the pipe keeps its size.
/// </summary>
internal static class PipeBuffer
{
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ
    private const int Size = 1 << 20;

    public static void TryEnlarge(Stream pipe)
    {
        if (!OperatingSystem.IsLinux() || pipe is not PipeStream { SafePipeHandle: { IsInvalid: false } handle })
        {
            return;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = fcntl((int)handle.DangerousGetHandle(), SetPipeSize, Size);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);
}
