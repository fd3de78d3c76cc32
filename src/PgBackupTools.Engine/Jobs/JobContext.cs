namespace PgBackupTools.Engine.Jobs;

/// <summary>What every job gets from its caller: where to report, where to log, what time it is.</summary>
public sealed record JobContext
{
    public IJobReporter Reporter { get; init; } = NullJobReporter.Instance;

    /// <summary>Optional log file; a path ending in .json or .clef gets compact JSON (CLEF), anything else text.</summary>
    public string? LogPath { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where to look for pg_dump and friends first (else PGBACKUPTOOLS_PGBIN, standard places, PATH).</summary>
    public string? PgBinDirectory { get; init; }
}
