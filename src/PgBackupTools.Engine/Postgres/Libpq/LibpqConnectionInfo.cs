using System.Globalization;
using System.Text;

namespace PgBackupTools.Engine.Postgres.Libpq;

/// <summary>
/// A libpq connection string with the same settings a child tool gets through its environment
/// (<see cref="PgConnectionSettings.ChildEnvironment"/>): the password of the settings only through a password
/// file. It can still hold a password taken from the environment (PGPASSWORD), so it is never logged.
/// </summary>
internal static class LibpqConnectionInfo
{
    /// <param name="replication">"true" for a physical replication connection (BASE_BACKUP), or null.</param>
    /// <param name="environmentKeywords">
    /// The keywords libpq reads from environment variables (<see cref="LibpqLibrary.EnvironmentKeywords"/>): those
    /// not set from <paramref name="settings"/> are taken from <paramref name="environment"/> (by default this
    /// process's .NET environment, which pwsh's $env: changes), as a child tool would get them.
    /// </param>
    public static string Build(
        PgConnectionSettings settings,
        string? passFilePath,
        string? replication,
        IReadOnlyList<(string Keyword, string Variable)>? environmentKeywords = null,
        Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var text = new StringBuilder();
        var set = new HashSet<string>(StringComparer.Ordinal);
        void Add(string keyword, string value)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(keyword).Append('=').Append(Quote(value));
            set.Add(keyword);
        }

        Add("host", settings.Host);
        Add("port", settings.Port.ToString(CultureInfo.InvariantCulture));
        Add("user", settings.Username);
        Add("dbname", settings.Database);
        Add("application_name", PgConnectionSettings.ApplicationName);
        Add("connect_timeout", PgConnectionSettings.ConnectTimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        if (settings.SslMode is not null)
        {
            Add("sslmode", settings.SslMode);
        }

        if (passFilePath is not null)
        {
            Add("passfile", passFilePath);

            // An empty password makes libpq use the file even when PGPASSWORD is in the environment, as a child
            // tool does, whose PGPASSWORD is removed.
            Add("password", "");
        }

        if (replication is not null)
        {
            Add("replication", replication);
        }

        environment ??= Environment.GetEnvironmentVariable;
        foreach (var (keyword, variable) in environmentKeywords ?? [])
        {
            if (!set.Contains(keyword) && environment(variable) is { } value)
            {
                Add(keyword, value);
            }
        }

        return text.ToString();
    }

    /// <summary>libpq's quoting: single quotes around the value, backslash before ' and \.</summary>
    internal static string Quote(string value) =>
        "'" + value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("'", @"\'", StringComparison.Ordinal) + "'";
}
