using System.Globalization;
using System.Text;

namespace PgBackupTools.Engine.Postgres.Libpq;

/// <summary>
/// A libpq connection string with the same settings a child tool gets through its environment
/// (<see cref="PgConnectionSettings.ChildEnvironment"/>): the password only through a password file.
/// </summary>
internal static class LibpqConnectionInfo
{
    /// <param name="replication">"true" for a physical replication connection (BASE_BACKUP), or null.</param>
    public static string Build(PgConnectionSettings settings, string? passFilePath, string? replication)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var text = new StringBuilder();
        Add(text, "host", settings.Host);
        Add(text, "port", settings.Port.ToString(CultureInfo.InvariantCulture));
        Add(text, "user", settings.Username);
        Add(text, "dbname", settings.Database);
        Add(text, "application_name", PgConnectionSettings.ApplicationName);
        Add(text, "connect_timeout", PgConnectionSettings.ConnectTimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        if (settings.SslMode is not null)
        {
            Add(text, "sslmode", settings.SslMode);
        }

        if (passFilePath is not null)
        {
            Add(text, "passfile", passFilePath);
        }

        if (replication is not null)
        {
            Add(text, "replication", replication);
        }

        return text.ToString();
    }

    /// <summary>libpq's quoting: single quotes around the value, backslash before ' and \.</summary>
    internal static string Quote(string value) =>
        "'" + value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("'", @"\'", StringComparison.Ordinal) + "'";

    private static void Add(StringBuilder text, string keyword, string value)
    {
        if (text.Length > 0)
        {
            text.Append(' ');
        }

        text.Append(keyword).Append('=').Append(Quote(value));
    }
}
