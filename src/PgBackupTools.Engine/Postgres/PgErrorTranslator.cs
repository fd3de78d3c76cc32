using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Turns Npgsql/socket exceptions and the stderr of libpq programs into <see cref="PgBackupException"/>s with
/// stable ErrorIds and messages that say what to check. Any text taken from the server or a tool passes through
/// <see cref="Redact"/>, so the password never reaches a message.
/// </summary>
public static partial class PgErrorTranslator
{
    public static PgBackupException Translate(Exception exception, PgConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(settings);
        if (exception is PgBackupException already)
            return already;

        if (Find<PostgresException>(exception) is { } postgres)
            return FromSqlState(postgres.SqlState, postgres.MessageText, settings, exception);

        if (Find<TimeoutException>(exception) is not null)
            return Timeout(settings, exception);

        if (Find<SocketException>(exception) is { } socket)
        {
            return socket.SocketErrorCode == SocketError.TimedOut
                ? Timeout(settings, exception)
                : Unreachable(settings, SocketReason(socket), exception);
        }

        if (exception is NpgsqlException npgsql)
        {
            if (npgsql.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
                return AuthenticationFailed(settings, exception);
            if (Find<IOException>(exception) is not null || Find<EndOfStreamException>(exception) is not null)
                return Unreachable(settings, "the connection was closed unexpectedly", exception);
        }

        return new PgBackupException(
            PgErrorIds.ServerError,
            ErrorKind.NotSpecified,
            $"PostgreSQL request to {settings.Endpoint} failed: {Redact(exception.Message, settings)}",
            RedactedInner(exception, settings)) { Target = settings.Endpoint };
    }

    /// <summary>Recognises connection failures in the stderr of pg_dump, psql and friends; otherwise a generic PgToolFailed.</summary>
    public static PgBackupException FromToolOutput(string toolName, int exitCode, string standardError, PgConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var text = standardError ?? "";
        return Recognise(text, settings) ?? new PgBackupException(
            PgErrorIds.ToolFailed,
            ErrorKind.NotSpecified,
            $"{toolName} {Describe(exitCode)}: {Redact(LastLines(text, 5), settings)} Nothing was kept from this run.") { Target = settings.Endpoint };
    }

    /// <summary>
    /// A failure reported by libpq loaded in this process: by the server's SQLSTATE when it sent one, otherwise
    /// recognised in libpq's message as in a tool's output.
    /// </summary>
    public static PgBackupException FromLibpq(string operation, string message, string? sqlState, PgConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (sqlState is not null)
            return FromSqlState(sqlState, message, settings, null);

        return Recognise(message, settings) ?? new PgBackupException(
            PgErrorIds.ServerError,
            ErrorKind.NotSpecified,
            $"{operation} on {settings.Endpoint} failed: {Redact(LastLines(message, 5), settings)} Nothing was kept from this run.") { Target = settings.Endpoint };
    }

    private static PgBackupException? Recognise(string text, PgConnectionSettings settings)
    {
        if (AuthenticationPattern().IsMatch(text))
            return AuthenticationFailed(settings, null);
        if (DatabaseMissingPattern().Match(text) is { Success: true } missing)
            return DatabaseNotFound(settings, missing.Groups["db"].Value, null);
        if (TimeoutPattern().IsMatch(text))
            return Timeout(settings, null);
        if (UnreachablePattern().Match(text) is { Success: true } unreachable)
            return Unreachable(settings, Redact(DescribeReason(unreachable.Groups["reason"].Value), settings), null);
        if (PermissionPattern().Match(text) is { Success: true } permission)
            return PermissionDenied(settings, permission.Value, null);
        if (text.Contains("too many clients already", StringComparison.Ordinal))
            return TooManyConnections(settings, null);
        return null;
    }

    /// <summary>Replaces the password (if any) in text that came from elsewhere.</summary>
    public static string Redact(string text, PgConnectionSettings settings)
    {
        var password = settings.Password;
        return string.IsNullOrEmpty(password) ? text : text.Replace(password, "********", StringComparison.Ordinal);
    }

    private static PgBackupException FromSqlState(string sqlState, string serverMessage, PgConnectionSettings settings, Exception? inner) =>
        sqlState switch
        {
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                AuthenticationFailed(settings, inner),
            PostgresErrorCodes.InvalidCatalogName => DatabaseNotFound(settings, settings.Database, inner),
            PostgresErrorCodes.InsufficientPrivilege => PermissionDenied(settings, serverMessage, inner),
            PostgresErrorCodes.QueryCanceled => Timeout(settings, inner),
            PostgresErrorCodes.TooManyConnections => TooManyConnections(settings, inner),
            PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown =>
                Unreachable(settings, Redact(serverMessage, settings), inner),
            _ => new PgBackupException(
                PgErrorIds.ServerError,
                ErrorKind.NotSpecified,
                $"PostgreSQL on {settings.Endpoint} reported {sqlState}: {Redact(serverMessage, settings)}",
                RedactedInner(inner, settings)) { Target = settings.Endpoint },
        };

    private static PgBackupException Unreachable(PgConnectionSettings settings, string reason, Exception? inner) =>
        new(PgErrorIds.ServerUnreachable,
            ErrorKind.ConnectionError,
            $"Could not connect to {settings.Endpoint}: {reason}. Check that the server is running and -Host/-Port.",
            RedactedInner(inner, settings)) { Target = settings.Endpoint };

    private static PgBackupException Timeout(PgConnectionSettings settings, Exception? inner) =>
        new(PgErrorIds.ServerTimeout,
            ErrorKind.ConnectionError,
            $"Timed out talking to {settings.Endpoint}. Check the network path and that the server is not overloaded.",
            RedactedInner(inner, settings)) { Target = settings.Endpoint };

    private static PgBackupException AuthenticationFailed(PgConnectionSettings settings, Exception? inner) =>
        new(PgErrorIds.AuthenticationFailed,
            ErrorKind.AuthenticationError,
            $"Authentication failed for user '{settings.Username}' on {settings.Endpoint}. Check the credential or PGPASSFILE.",
            RedactedInner(inner, settings)) { Target = settings.Username };

    private static PgBackupException DatabaseNotFound(PgConnectionSettings settings, string database, Exception? inner) =>
        new(PgErrorIds.DatabaseNotFound,
            ErrorKind.ObjectNotFound,
            $"Database '{database}' does not exist on {settings.Endpoint}. Check -Database.",
            RedactedInner(inner, settings)) { Target = database };

    private static PgBackupException PermissionDenied(PgConnectionSettings settings, string serverMessage, Exception? inner) =>
        new(PgErrorIds.PermissionDenied,
            ErrorKind.PermissionDenied,
            $"User '{settings.Username}' lacks a privilege on {settings.Endpoint}: {Redact(serverMessage, settings)}. " +
            "Grant it (for example pg_read_all_data for backups) or connect as another role.",
            RedactedInner(inner, settings)) { Target = settings.Username };

    private static PgBackupException TooManyConnections(PgConnectionSettings settings, Exception? inner) =>
        new(PgErrorIds.TooManyConnections,
            ErrorKind.ResourceBusy,
            $"{settings.Endpoint} refused the connection: too many clients already. Retry later or raise max_connections.",
            RedactedInner(inner, settings)) { Target = settings.Endpoint };

    // Inner exceptions are kept for diagnostics only when their text cannot hold the password.
    private static Exception? RedactedInner(Exception? inner, PgConnectionSettings settings)
    {
        if (inner is null || string.IsNullOrEmpty(settings.Password))
            return inner;
        for (var e = inner; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains(settings.Password, StringComparison.Ordinal))
                return null;
        }
        return inner;
    }

    private static string SocketReason(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name could not be resolved",
        SocketError.HostUnreachable => "no route to host",
        SocketError.NetworkUnreachable or SocketError.NetworkDown => "the network is unreachable",
        SocketError.AddressNotAvailable => "the address is not available",
        _ => socket.Message.ToLowerInvariant(),
    };

    private static string DescribeReason(string libpqReason)
    {
        var reason = libpqReason.Trim().TrimEnd('.');
        return reason.Equals("No such file or directory", StringComparison.OrdinalIgnoreCase)
            ? "no server is listening on that Unix socket"
            : char.ToLowerInvariant(reason[0]) + reason[1..];
    }

    private static T? Find<T>(Exception exception) where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
                return match;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(x => x is not null) is { } nested)
                return nested;
        }
        return null;
    }

    // A Unix shell reports death by signal N as exit code 128 + N; .NET reports the same for a killed child.
    private static string Describe(int exitCode) => !OperatingSystem.IsWindows() && exitCode is > 128 and < 160
        ? $"was killed by signal {exitCode - 128}{(exitCode - 128 == 9 ? " (SIGKILL: killed by an operator or the out-of-memory killer)" : "")}"
        : $"failed with exit code {exitCode}";

    private static string LastLines(string text, int count)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no error output)" : string.Join(" | ", lines.TakeLast(count));
    }

    [GeneratedRegex(@"password authentication failed for user|no password supplied|no pg_hba\.conf entry|(Peer|Ident|SCRAM|GSSAPI|SSPI|LDAP|RADIUS|certificate|PAM) authentication failed|FATAL:\s+role ""[^""]*"" does not exist", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthenticationPattern();

    [GeneratedRegex(@"FATAL:\s+database ""(?<db>[^""]*)"" does not exist", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseMissingPattern();

    [GeneratedRegex(@"timeout expired|Connection timed out|canceling statement due to statement timeout", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TimeoutPattern();

    [GeneratedRegex(@"(?:connection to server [^\n]*failed|could not connect to server): (?<reason>[^\n]+)|(?<reason>could not translate host name ""[^""]*"" to address[^\n]*)|(?<reason>server closed the connection unexpectedly)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UnreachablePattern();

    [GeneratedRegex(@"permission denied[^\n]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PermissionPattern();
}
