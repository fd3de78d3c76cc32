using System.Management.Automation;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>
/// Makes [PgBackupTools.Backup] and the other result types usable as type literals in scripts. PowerShell only
/// searches the default load context for type names, and these types live in the module's private one, so
/// they are registered as type accelerators (by their full names) for as long as the module is imported.
/// </summary>
internal static class TypeAccelerators
{
    private static readonly Type? Accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

    private static IEnumerable<Type> ResultTypes => typeof(Backup).Assembly.GetExportedTypes()
        .Where(t => t.Namespace == nameof(PgBackupTools) && !t.IsNested);

    public static void Register()
    {
        var add = Accelerators?.GetMethod("Add", [typeof(string), typeof(Type)]);
        if (add is null)
        {
            return;
        }

        foreach (var type in ResultTypes)
        {
            add.Invoke(null, [type.FullName!, type]);
        }
    }

    public static void Unregister()
    {
        var remove = Accelerators?.GetMethod("Remove", [typeof(string)]);
        if (remove is null)
        {
            return;
        }

        foreach (var type in ResultTypes)
        {
            remove.Invoke(null, [type.FullName!]);
        }
    }
}
