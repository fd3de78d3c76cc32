namespace PgBackupTools.Engine.Postgres;

/// <summary>The connection values a connection string named; null where it named none.</summary>
internal sealed record ParsedConnectionString(
    string? Host = null,
    int? Port = null,
    string? Database = null,
    string? Username = null,
    string? Password = null,
    string? SslMode = null);
