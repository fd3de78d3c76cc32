using System.Net;
using System.Net.Sockets;

namespace PgBackupTools.Tests.Infrastructure;

internal static class FreeTcpPort
{
    /// <summary>A port free right now on 127.0.0.1; another process could still take it before we bind.</summary>
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
