namespace PgBackupTools.Engine.Processes;

/// <summary>Outcome of a small command run to completion.</summary>
public sealed record ChildProcessResult(int ExitCode, string StandardOutput, string StandardError);
