using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Processes;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Finds a PostgreSQL client program (pg_dump, psql, ...) whose major version fits a server: the exact major is
/// preferred, else the lowest newer one; older programs are refused because they cannot dump newer servers.
/// A program in the explicitly given directory (or PGBACKUPTOOLS_PGBIN) wins whenever it is new enough.
/// </summary>
public sealed class PgToolLocator
{
    private static readonly TimeSpan VersionProbeTimeout = TimeSpan.FromSeconds(15);

    private readonly string? _explicitDirectory;
    private readonly Func<int, IReadOnlyList<PgToolSearchDirectory>> _searchPath;

    public PgToolLocator(string? explicitDirectory = null)
        : this(explicitDirectory, major => PgToolSearchPath.For(explicitDirectory, major))
    {
    }

    internal PgToolLocator(string? explicitDirectory, Func<int, IReadOnlyList<PgToolSearchDirectory>> searchPath)
    {
        _explicitDirectory = explicitDirectory;
        _searchPath = searchPath;
    }

    public async Task<PgTool> FindAsync(string toolName, int minimumMajor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        var found = new List<PgTool>();
        await foreach (var (tool, isExplicit) in CandidatesAsync(toolName, minimumMajor, cancellationToken).ConfigureAwait(false))
        {
            if (tool.Version.Major == minimumMajor || (isExplicit && tool.Version.Major > minimumMajor))
                return tool;
            found.Add(tool);
        }

        var newer = found.Where(t => t.Version.Major > minimumMajor).MinBy(t => t.Version.Major);
        if (newer is not null)
            return newer;

        var older = found.MaxBy(t => t.Version);
        if (older is not null)
        {
            throw new PgBackupException(
                "PgToolTooOld",
                ErrorKind.NotInstalled,
                $"{toolName} {minimumMajor} or newer is needed, but only {toolName} {older.Version.Major}.{older.Version.Minor} " +
                $"was found at {older.Path}. {PgToolSearchPath.InstallHint(minimumMajor)}, or set " +
                $"{PgToolSearchPath.BinDirectoryVariable} to the directory holding {toolName} {minimumMajor} or newer.")
            { Target = older.Path };
        }

        throw new PgBackupException(
            "PgToolNotFound",
            ErrorKind.NotInstalled,
            $"{toolName} {minimumMajor} or newer was not found. Looked in: " +
            $"{string.Join(", ", PgToolSearchPath.DescribeLocations(_explicitDirectory))}. " +
            $"{PgToolSearchPath.InstallHint(minimumMajor)}, or set {PgToolSearchPath.BinDirectoryVariable} " +
            $"to the directory that holds {toolName}.")
        { Target = toolName };
    }

    /// <summary>
    /// The newest installed copy of a program (for a client that must work with whatever server it meets, such as
    /// pg_receivewal, which refuses servers newer than itself). A copy in the explicit directory wins.
    /// </summary>
    public async Task<PgTool> FindNewestAsync(string toolName, int minimumMajor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        var found = new List<PgTool>();
        await foreach (var (tool, isExplicit) in CandidatesAsync(toolName, minimumMajor, cancellationToken).ConfigureAwait(false))
        {
            if (isExplicit && tool.Version.Major >= minimumMajor)
                return tool;
            found.Add(tool);
        }

        var newest = found.MaxBy(t => t.Version);
        if (newest is not null && newest.Version.Major >= minimumMajor)
            return newest;
        return await FindAsync(toolName, minimumMajor, cancellationToken).ConfigureAwait(false); // throws the usual "too old" / "not found"
    }

    /// <summary>Every working copy of the program along the search path, in order; IsExplicit for the caller's own directory.</summary>
    private async IAsyncEnumerable<(PgTool Tool, bool IsExplicit)> CandidatesAsync(
        string toolName, int minimumMajor, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directories = _searchPath(minimumMajor);
        var executable = PgToolSearchPath.ExecutableName(toolName);
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        for (var i = 0; i < directories.Count; i++)
        {
            var candidate = Candidate(directories[i].Path, executable);
            if (candidate is null || !seen.Add(candidate))
                continue;
            if (await ProbeAsync(toolName, candidate, cancellationToken).ConfigureAwait(false) is { } tool)
                yield return (tool, i == 0 && directories[i].Major is null && directories[i].Source != "PATH");
        }
    }

    private static string? Candidate(string directory, string executable)
    {
        try
        {
            var path = Path.GetFullPath(Path.Combine(directory, executable));
            return File.Exists(path) ? path : null;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or NotSupportedException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<PgTool?> ProbeAsync(string toolName, string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(VersionProbeTimeout);
        try
        {
            var result = await ChildProcess.RunToCompletionAsync(
                new ChildProcessOptions(path, ["--version"]), timeout.Token).ConfigureAwait(false);
            if (result.ExitCode != 0 || !PgToolVersionParser.TryParse(result.StandardOutput, out var version, out var text))
                return null;
            return new PgTool(toolName, path, version, text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (PgBackupException)
        {
            // Not executable (permissions, wrong architecture): not a usable candidate.
            return null;
        }
    }
}
