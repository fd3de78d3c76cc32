using System.Management.Automation;
using System.Net;
using PgBackupTools.Engine.Postgres;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>Turns -Host/-Port/-Credential/-ConnectionString into engine settings; libpq's environment fills the rest.</summary>
internal static class ConnectionParameters
{
    public static PgConnectionSettings ToSettings(string? connectionString, string? host, int? port, string? database, PSCredential? credential)
    {
        string? user = null;
        string? password = null;
        if (credential is not null)
        {
            var network = credential.GetNetworkCredential();
            user = string.IsNullOrEmpty(credential.UserName) ? null : credential.UserName;
            password = network.Password.Length == 0 ? null : network.Password;
        }

        return PgConnectionSettings.From(connectionString, host, port, database, user, password);
    }
}
