namespace PgBackupTools.Engine.Processes;

/// <summary>What to start: an executable, its arguments (passed one by one, never joined) and environment changes.</summary>
public sealed record ChildProcessOptions
{
    public ChildProcessOptions(string fileName, IEnumerable<string>? arguments = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        FileName = fileName;
        Arguments = arguments?.ToArray() ?? [];
    }

    public string FileName { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Variables to set in the child; a null value removes an inherited variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>When true, <see cref="ChildProcess.StandardInput"/> is writable; otherwise the child reads an empty stdin.</summary>
    public bool WriteStandardInput { get; init; }

    /// <summary>When true, stdout is drained and dropped in the background, for children whose output nobody reads.</summary>
    public bool DiscardStandardOutput { get; init; }

    public string? WorkingDirectory { get; init; }
}
