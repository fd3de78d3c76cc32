using System.Management.Automation;
using PgBackupTools.Engine.Postgres;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>Cmdlets that talk to a PostgreSQL server: -Host, -Port, -Credential or -ConnectionString, and -LogPath.</summary>
public abstract class ServerCmdlet : RepositoryCmdlet
{
    [Parameter]
    [ValidateNotNullOrEmpty]
    public new string? Host { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    [Parameter]
    public string? LogPath { get; set; }

    protected override string? LogPathOrNull() => LogPath is null ? null : ResolvePath(LogPath);

    protected PgConnectionSettings ConnectionTo(string? database) =>
        ConnectionParameters.ToSettings(ConnectionString, Host, Port, database, Credential);
}
