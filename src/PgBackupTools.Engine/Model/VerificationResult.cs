namespace PgBackupTools;

public enum VerificationLevel
{
    /// <summary>Every file's size and SHA-256, every encrypted chunk authenticated; no plaintext written anywhere.</summary>
    Checksum,

    /// <summary>Checksum, plus the archive's table of contents read back and compared with the catalog.</summary>
    Structure,

    /// <summary>Structure, plus a real restore into a scratch database, exact row counts and amcheck.</summary>
    Restore,
}

public enum VerificationStatus
{
    Passed,
    Failed,
    Skipped,
    Error,
}

/// <summary>One check of a verification: what was checked, how it went, and why.</summary>
public sealed record VerificationCheck(string Name, VerificationStatus Status, string Detail, TimeSpan Duration);

/// <summary>What Test-PgBackup found. Status is Passed only when every check of the level ran and passed.</summary>
public sealed record VerificationResult
{
    public required string BackupId { get; init; }
    public required string Database { get; init; }
    public required VerificationLevel Level { get; init; }
    public required VerificationStatus Status { get; init; }
    public required IReadOnlyList<VerificationCheck> Checks { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public TimeSpan Duration { get; init; }

    /// <summary>How long the trial restore took: the measured recovery time of this database.</summary>
    public TimeSpan? RestoreDuration { get; init; }

    public int TablesCompared { get; init; }
    public int RowMismatches { get; init; }
    public string? ScratchServer { get; init; }

    public static VerificationStatus Combine(IEnumerable<VerificationCheck> checks)
    {
        var statuses = checks.Select(c => c.Status).ToList();
        if (statuses.Count == 0)
        {
            return VerificationStatus.Error;
        }

        if (statuses.Contains(VerificationStatus.Failed))
        {
            return VerificationStatus.Failed;
        }

        if (statuses.Contains(VerificationStatus.Error))
        {
            return VerificationStatus.Error;
        }

        return statuses.Contains(VerificationStatus.Skipped) ? VerificationStatus.Skipped : VerificationStatus.Passed;
    }
}
