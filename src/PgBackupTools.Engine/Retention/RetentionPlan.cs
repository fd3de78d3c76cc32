namespace PgBackupTools.Engine.Retention;

/// <summary>The decisions of one run, and the backups left out because their manifest could not be read or authenticated.</summary>
public sealed record RetentionPlan(IReadOnlyList<RetentionDecision> Decisions, IReadOnlyList<Errors.PgBackupException> Problems);
