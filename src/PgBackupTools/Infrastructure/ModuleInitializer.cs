using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>
/// On Import-Module, teaches the default load context to find PgBackupTools.Engine in our private context.
/// Only the engine is resolved this way; its own dependencies are then loaded by that context, never by
/// the default one, so another module's Npgsql or Serilog cannot clash with ours.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "PgBackupTools.Engine";

    private static readonly Lazy<DependencyLoadContext> Context = new(() =>
    {
        var moduleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
        return new DependencyLoadContext(DependencyDirectory.Choose(moduleDirectory));
    });

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
        TypeAccelerators.Register();
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        TypeAccelerators.Unregister();
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
    {
        if (!string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal))
        {
            return null;
        }

        return Context.Value.LoadFromAssemblyName(name);
    }
}
