using System.Runtime.InteropServices;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>
/// Picks the folder the private load context loads the engine and its dependencies from. Dependencies/ holds the
/// portable build (net8.0 IL), which runs wherever pwsh 7.4+ runs. When the build also staged a ReadyToRun copy
/// for this runtime and platform (Dependencies/net10.0-linux-x64/, say), that copy is used: its code is compiled
/// ahead of time, so a cmdlet starts about half a second sooner and spends less CPU beside the database it backs
/// up. Setting PGBACKUPTOOLS_PORTABLE_ASSEMBLIES=1 forces the portable build.
/// </summary>
internal static class DependencyDirectory
{
    public const string PortableOnlyVariable = "PGBACKUPTOOLS_PORTABLE_ASSEMBLIES";
    public const string PortableFolder = "Dependencies";
    private const int PrecompiledRuntimeMajor = 10;

    public static string Choose(string moduleDirectory)
    {
        var portable = Path.Combine(moduleDirectory, PortableFolder);
        if (Environment.GetEnvironmentVariable(PortableOnlyVariable) == "1" || Environment.Version.Major < PrecompiledRuntimeMajor)
        {
            return portable;
        }

        var precompiled = Path.Combine(portable, PrecompiledFolderName(RuntimeInformation.RuntimeIdentifier));
        return File.Exists(Path.Combine(precompiled, "PgBackupTools.Engine.dll")) ? precompiled : portable;
    }

    /// <summary>The subfolder of Dependencies/ that build.ps1 stages the ReadyToRun build into.</summary>
    public static string PrecompiledFolderName(string runtimeIdentifier) => $"net{PrecompiledRuntimeMajor}.0-{runtimeIdentifier}";
}
