using System.Globalization;
using System.Text;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// A temporary libpq password file, so a child process (pg_dump, psql, ...) gets the password without it appearing
/// on a command line or in an inherited PGPASSWORD. The file is created 0600 inside a 0700 folder of ours and
/// deleted on Dispose. Without a password no file is written and the child keeps libpq's own password lookup.
/// </summary>
public sealed class PgPassFile : IDisposable
{
    private readonly string? _directory;
    private int _disposed;

    private PgPassFile(PgConnectionSettings settings, string? directory, string? path)
    {
        _directory = directory;
        Path = path;
        ChildEnvironment = settings.ChildEnvironment(path);
    }

    /// <summary>Full path of the file, or null when the settings carry no password.</summary>
    public string? Path { get; }

    /// <summary>Environment for the child: connection variables plus PGPASSFILE (and PGPASSWORD removed) when a file exists.</summary>
    public IReadOnlyDictionary<string, string?> ChildEnvironment { get; }

    public static PgPassFile Create(PgConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Password is null)
            return new PgPassFile(settings, null, null);

        var content = Content(settings);
        var directory = CreatePrivateDirectory();
        var path = System.IO.Path.Combine(directory, "pgpass");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var stream = new FileStream(path, options);
            stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content));
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
        return new PgPassFile(settings, directory, path);
    }

    /// <summary>The file content: one "host:port:*:user:password" line per host in the settings.</summary>
    internal static string Content(PgConnectionSettings settings)
    {
        var password = settings.Password ?? throw new InvalidOperationException("No password to write.");
        if (password.Contains('\n') || password.Contains('\r'))
        {
            throw new PgBackupException(
                "UnsupportedPassword",
                ErrorKind.InvalidArgument,
                "The password contains a line break, which a libpq password file cannot hold. Change the password.");
        }
        var port = settings.Port.ToString(CultureInfo.InvariantCulture);
        var lines = new StringBuilder();
        foreach (var host in settings.Host.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            lines.Append(Escape(PassFileHost(host))).Append(':').Append(port).Append(":*:")
                .Append(Escape(settings.Username)).Append(':').Append(Escape(password)).Append('\n');
        return lines.ToString();
    }

    /// <summary>libpq password files use backslash to escape ':' and '\' inside fields.</summary>
    internal static string Escape(string field) => field.Replace(@"\", @"\\", StringComparison.Ordinal)
        .Replace(":", @"\:", StringComparison.Ordinal);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _directory is null)
            return;
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the folder is private to this user and holds only the one file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // libpq matches Unix-socket connections against the name "localhost" in password files.
    private static string PassFileHost(string host) =>
        host.StartsWith('/') || host.StartsWith('@') ? "localhost" : host;

    private static string CreatePrivateDirectory()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pgbackuptools-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
