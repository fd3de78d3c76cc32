namespace PgBackupTools.Engine.Errors;

/// <summary>
/// Every failure the engine reports on purpose. ErrorId is stable (scripts and tests match on it); the
/// message says what failed, why, and what to do, and never contains a secret.
/// </summary>
public class PgBackupException : Exception
{
    public PgBackupException(string errorId, ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
    }

    public string ErrorId { get; }

    public ErrorKind Kind { get; }

    /// <summary>The thing the error is about (a path, a database, a backup id), for ErrorRecord.TargetObject.</summary>
    public object? Target { get; init; }
}
