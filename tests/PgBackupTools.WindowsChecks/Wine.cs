using System.Runtime.InteropServices;

namespace PgBackupTools.WindowsChecks;

/// <summary>Wine's version when these checks run under Wine instead of Windows (its ntdll exports wine_get_version).</summary>
internal static class Wine
{
    public static string? Version { get; } = Read();

    private static string? Read()
    {
        if (!OperatingSystem.IsWindows() || !NativeLibrary.TryLoad("ntdll.dll", out var ntdll) || !NativeLibrary.TryGetExport(ntdll, "wine_get_version", out var export))
        {
            return null;
        }

        unsafe
        {
            return Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)export)());
        }
    }
}
