namespace PgBackupTools.Engine.Postgres;

/// <summary>Stable ErrorIds for connection and server failures; scripts and tests match on these.</summary>
public static class PgErrorIds
{
    public const string ServerUnreachable = "ServerUnreachable";
    public const string ServerTimeout = "ServerTimeout";
    public const string AuthenticationFailed = "AuthenticationFailed";
    public const string DatabaseNotFound = "DatabaseNotFound";
    public const string PermissionDenied = "PermissionDenied";
    public const string TooManyConnections = "TooManyConnections";
    public const string ServerError = "PostgresServerError";
    public const string ToolFailed = "PgToolFailed";
}
