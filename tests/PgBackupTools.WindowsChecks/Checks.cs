namespace PgBackupTools.WindowsChecks;

/// <summary>Named checks, each printed as it is made; the exit code is the number that failed.</summary>
internal sealed class Checks
{
    private int _passed;
    private int _failed;
    private int _notChecked;

    public void That(string name, bool passed, string? detail = null)
    {
        if (passed)
        {
            _passed++;
            Console.Out.WriteLine("  [+] " + name);
        }
        else
        {
            _failed++;
            Console.Out.WriteLine("  [-] " + name + (detail is null ? "" : Environment.NewLine + "      " + detail.Replace("\n", "\n      ", StringComparison.Ordinal)));
        }
    }

    /// <summary>A check this platform cannot make: listed as such, never counted as passed.</summary>
    public void NotChecked(string name, string why)
    {
        _notChecked++;
        Console.Out.WriteLine("  [?] " + name + Environment.NewLine + "      not checked: " + why);
    }

    public int Report()
    {
        Console.Out.WriteLine($"Windows process checks: {_passed} passed, {_failed} failed, {_notChecked} not checked.");
        return _failed;
    }
}

internal sealed record InJobResult(int ProcessId, bool EndsWithJob, string? Error);
