namespace PgBackupTools.Engine.Notify;

/// <summary>One name/value line of an alert, e.g. "Backup age" = "26 h".</summary>
public sealed record AlertFact(string Name, string Value);

/// <summary>
/// What is sent through every channel. Key identifies "the same alert" across runs (e.g. "health:&lt;repository id&gt;")
/// so that a repeated state is not resent within the repeat window.
/// </summary>
public sealed record Alert
{
    public required AlertSeverity Severity { get; init; }

    public required string Title { get; init; }

    /// <summary>Plain text; channels escape it for their own markup.</summary>
    public string Text { get; init; } = "";

    public IReadOnlyList<AlertFact> Facts { get; init; } = [];

    /// <summary>The machine the alert comes from.</summary>
    public string Source { get; init; } = Environment.MachineName;

    public DateTimeOffset Time { get; init; }

    public required string Key { get; init; }
}
