using System.Reflection;
using System.Runtime.Loader;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>
/// Loads the engine and its third-party dependencies (Npgsql, Serilog, SharpCompress, MailKit) from the
/// module's Dependencies folder (see <see cref="DependencyDirectory"/>), isolated from whatever versions other modules put in the default context.
/// Framework assemblies fall through to the default context, so shared types (Stream, TimeSpan) stay shared.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    public const string ContextName = "PgBackupTools";

    private readonly string _directory;

    public DependencyLoadContext(string directory)
        : base(ContextName, isCollectible: false)
    {
        _directory = directory;
    }

    public string Directory => _directory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(_directory, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
