using System.Globalization;
using System.Runtime.InteropServices;

namespace PgBackupTools.Engine.Postgres;

/// <summary>One place to look for PostgreSQL programs; Major is set when the directory name implies a version.</summary>
internal sealed record PgToolSearchDirectory(string Path, string Source, int? Major = null);

/// <summary>
/// Where PostgreSQL client programs usually live, in search order: the explicit directory, the per-version install
/// directories of this OS (the wanted major first, then newer ascending, then older), then PATH.
/// </summary>
internal static class PgToolSearchPath
{
    public const string BinDirectoryVariable = "PGBACKUPTOOLS_PGBIN";

    public static IReadOnlyList<PgToolSearchDirectory> For(string? explicitDirectory, int wantedMajor)
    {
        var result = new List<PgToolSearchDirectory>();
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
            result.Add(new(explicitDirectory, "the given directory"));
        else if (Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } fromEnvironment)
            result.Add(new(fromEnvironment, BinDirectoryVariable));

        var versioned = VersionedInstallDirectories().ToList();
        result.AddRange(versioned.Where(d => d.Major == wantedMajor));
        result.AddRange(versioned.Where(d => d.Major > wantedMajor).OrderBy(d => d.Major));
        result.AddRange(versioned.Where(d => d.Major < wantedMajor).OrderByDescending(d => d.Major));

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            result.Add(new(directory.Trim('"'), "PATH"));
        return result;
    }

    /// <summary>Human-readable list of the places searched, for error messages.</summary>
    public static IReadOnlyList<string> DescribeLocations(string? explicitDirectory)
    {
        var result = new List<string>();
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
            result.Add(explicitDirectory);
        else if (Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } fromEnvironment)
            result.Add($"{fromEnvironment} ({BinDirectoryVariable})");
        result.AddRange(VersionedPatterns().Select(p => System.IO.Path.Combine(p.Parent, p.Prefix + "<N>", p.Suffix)));
        result.Add("PATH");
        return result;
    }

    public static string ExecutableName(string toolName) =>
        OperatingSystem.IsWindows() ? toolName + ".exe" : toolName;

    public static string InstallHint(int major)
    {
        if (OperatingSystem.IsWindows())
            return $"Install the PostgreSQL {major} command line tools (EDB installer)";
        if (OperatingSystem.IsMacOS())
            return $"Install them with 'brew install postgresql@{major}'";
        return $"Install postgresql-client-{major} (apt) or postgresql{major} (dnf)";
    }

    private static IEnumerable<PgToolSearchDirectory> VersionedInstallDirectories()
    {
        foreach (var (parent, prefix, suffix) in VersionedPatterns())
        {
            IEnumerable<string> entries;
            try
            {
                if (!Directory.Exists(parent))
                    continue;
                entries = Directory.EnumerateDirectories(parent, prefix + "*").ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var entry in entries)
            {
                var versionPart = System.IO.Path.GetFileName(entry)[prefix.Length..];
                if (int.TryParse(versionPart, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
                    yield return new(System.IO.Path.Combine(entry, suffix), parent, major);
            }
        }
    }

    private static IEnumerable<(string Parent, string Prefix, string Suffix)> VersionedPatterns()
    {
        if (OperatingSystem.IsWindows())
        {
            foreach (var programFiles in new[] { "ProgramFiles", "ProgramW6432" }.Select(Environment.GetEnvironmentVariable).Distinct())
            {
                if (!string.IsNullOrEmpty(programFiles))
                    yield return (System.IO.Path.Combine(programFiles, "PostgreSQL"), "", "bin");
            }
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return ("/opt/homebrew/opt", "postgresql@", "bin");
            yield return ("/usr/local/opt", "postgresql@", "bin");
            yield return ("/Applications/Postgres.app/Contents/Versions", "", "bin");
        }
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || OperatingSystem.IsFreeBSD())
        {
            yield return ("/usr/lib/postgresql", "", "bin");
            yield return ("/usr", "pgsql-", "bin");
        }
    }
}
