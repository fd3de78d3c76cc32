using Npgsql;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>Converts between libpq sslmode spellings and Npgsql's <see cref="Npgsql.SslMode"/>.</summary>
internal static class SslModes
{
    private static readonly Dictionary<string, SslMode> ByLibpqName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["disable"] = SslMode.Disable,
        ["allow"] = SslMode.Allow,
        ["prefer"] = SslMode.Prefer,
        ["require"] = SslMode.Require,
        ["verify-ca"] = SslMode.VerifyCA,
        ["verify-full"] = SslMode.VerifyFull,
    };

    /// <summary>Accepts libpq ("verify-full") or Npgsql ("VerifyFull") spelling and returns the libpq one.</summary>
    public static string Normalize(string mode)
    {
        if (ByLibpqName.ContainsKey(mode))
            return mode.ToLowerInvariant();
        if (Enum.TryParse<SslMode>(mode, ignoreCase: true, out var npgsqlMode))
            return FromNpgsql(npgsqlMode);
        throw new PgBackupException(
            "InvalidSslMode",
            ErrorKind.InvalidArgument,
            $"'{mode}' is not an sslmode. Use one of: {string.Join(", ", ByLibpqName.Keys)}.");
    }

    public static SslMode ToNpgsql(string libpqMode) => ByLibpqName[libpqMode];

    public static string FromNpgsql(SslMode mode) => ByLibpqName.First(pair => pair.Value == mode).Key;
}
