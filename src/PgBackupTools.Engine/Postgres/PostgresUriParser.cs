using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Splits postgresql://[user[:password]@][host][:port][,host2[:port2]...][/dbname][?keyword=value&amp;...] into libpq
/// keywords; every part is percent-decoded. Several hosts are kept as Npgsql's "host1:port1,host2:port2" list.
/// </summary>
internal static class PostgresUriParser
{
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string uri)
    {
        var result = new List<KeyValuePair<string, string>>();
        var rest = uri[(uri.IndexOf("://", StringComparison.Ordinal) + 3)..];

        var queryStart = rest.IndexOf('?');
        var query = queryStart >= 0 ? rest[(queryStart + 1)..] : "";
        rest = queryStart >= 0 ? rest[..queryStart] : rest;

        var pathStart = rest.IndexOf('/');
        if (pathStart >= 0)
        {
            var database = Decode(rest[(pathStart + 1)..]);
            if (database.Length > 0)
                result.Add(new("dbname", database));
            rest = rest[..pathStart];
        }

        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            var user = Decode(colon >= 0 ? userInfo[..colon] : userInfo);
            if (user.Length > 0)
                result.Add(new("user", user));
            if (colon >= 0)
                result.Add(new("password", Decode(userInfo[(colon + 1)..])));
        }

        AddHosts(rest, result);

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0)
                throw Invalid($"the query parameter '{Decode(pair)}' has no value");
            result.Add(new(Decode(pair[..equals]), Decode(pair[(equals + 1)..])));
        }
        return result;
    }

    private static void AddHosts(string hostList, List<KeyValuePair<string, string>> result)
    {
        if (hostList.Length == 0)
            return;
        var hosts = hostList.Split(',');
        if (hosts.Length > 1)
        {
            result.Add(new("host", string.Join(',', hosts.Select(Decode))));
            return;
        }

        var hostSpec = hosts[0];
        string host;
        string? port = null;
        if (hostSpec.StartsWith('['))
        {
            var close = hostSpec.IndexOf(']');
            if (close < 0)
                throw Invalid("an IPv6 address is missing its closing ']'");
            host = hostSpec[1..close];
            if (close + 1 < hostSpec.Length)
            {
                if (hostSpec[close + 1] != ':')
                    throw Invalid("unexpected text after the IPv6 address");
                port = hostSpec[(close + 2)..];
            }
        }
        else
        {
            var colon = hostSpec.LastIndexOf(':');
            host = colon >= 0 ? hostSpec[..colon] : hostSpec;
            port = colon >= 0 ? hostSpec[(colon + 1)..] : null;
        }
        if (host.Length > 0)
            result.Add(new("host", Decode(host)));
        if (!string.IsNullOrEmpty(port))
            result.Add(new("port", port));
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value);

    private static PgBackupException Invalid(string why) =>
        new("InvalidConnectionString", ErrorKind.InvalidArgument, $"The postgresql:// connection URI is not valid: {why}.");
}
