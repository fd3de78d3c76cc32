namespace PgBackupTools.Engine.Errors;

/// <summary>
/// What kind of failure an engine error is. The cmdlet layer maps each kind to one PowerShell ErrorCategory,
/// so the engine stays free of System.Management.Automation.
/// </summary>
public enum ErrorKind
{
    NotSpecified,
    InvalidArgument,
    ObjectNotFound,
    ResourceUnavailable,
    ResourceBusy,
    ResourceExists,
    AuthenticationError,
    SecurityError,
    InvalidData,
    ConnectionError,
    PermissionDenied,
    OperationStopped,
    WriteError,
    NotInstalled,
    InvalidOperation,
    LimitsExceeded,
}
