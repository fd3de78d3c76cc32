namespace PgBackupTools.Engine.Postgres.Libpq;

/// <summary>An error libpq or the server reported, with the server's SQLSTATE when it sent one.</summary>
internal sealed class LibpqException(string message, string? sqlState) : Exception(message)
{
    public string? SqlState { get; } = sqlState;
}
