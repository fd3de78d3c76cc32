using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>pgbt-wal ships in the module under bin/&lt;runtime identifier&gt;/.</summary>
internal static class WalToolLocation
{
    public static string? TryFind()
    {
        try
        {
            return Find();
        }
        catch (PgBackupException)
        {
            return null;
        }
    }

    public static string Find()
    {
        var moduleBase = Path.GetDirectoryName(typeof(WalToolLocation).Assembly.Location)!;
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        var name = OperatingSystem.IsWindows() ? "pgbt-wal.exe" : "pgbt-wal";
        var path = Path.Combine(moduleBase, "bin", rid, name);
        return File.Exists(path)
            ? path
            : throw new PgBackupException(
                "WalToolNotFound",
                ErrorKind.NotInstalled,
                $"pgbt-wal for {rid} is not in this module ('{path}'). Build the module on this platform (./build.ps1 -Task Build), or give -ToolPath.")
            { Target = path };
    }
}
