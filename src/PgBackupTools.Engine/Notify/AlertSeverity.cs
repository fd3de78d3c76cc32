namespace PgBackupTools.Engine.Notify;

/// <summary>How bad an alert is. Health results map onto these; OK is only ever sent as a recovery.</summary>
public enum AlertSeverity
{
    OK,
    Warning,
    Critical,
    Unknown,
}
