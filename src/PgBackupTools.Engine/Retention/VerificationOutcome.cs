namespace PgBackupTools.Engine.Retention;

/// <summary>The result of the last verification of a backup, as far as retention cares.</summary>
public enum VerificationOutcome
{
    Passed,
    Failed,
}
