using System.Management.Automation;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>Engine errors as ErrorRecords: stable ErrorId, fitting category, message that says what to do.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(PgBackupException ex) =>
        new(ex, ex.ErrorId, Category(ex.Kind), ex.Target);

    public static ErrorRecord Create(string errorId, ErrorKind kind, string message, object? target = null) =>
        From(new PgBackupException(errorId, kind, message) { Target = target });

    private static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        ErrorKind.SecurityError => ErrorCategory.SecurityError,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        ErrorKind.WriteError => ErrorCategory.WriteError,
        ErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        _ => ErrorCategory.NotSpecified,
    };
}
