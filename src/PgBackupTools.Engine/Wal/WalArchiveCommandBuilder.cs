using System.Text;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// Builds archive_command and restore_command for a repository. PostgreSQL runs them through /bin/sh (cmd.exe
/// on Windows) after replacing %p, %f and %%, so every path is quoted for that shell and every literal % doubled.
/// No secret is ever part of the command: a key file is named by its path, a passphrase comes from the server's
/// environment.
/// </summary>
public static class WalArchiveCommandBuilder
{
    public static WalArchiveCommand Build(
        string toolPath, string repository, string? keyFile, bool passphrase, CompressionSettings compression, bool windows, string? systemIdentifier = null)
    {
        var common = new StringBuilder()
            .Append(" --repository ").Append(Quote(repository, windows));
        if (keyFile is not null)
        {
            common.Append(" --key-file ").Append(Quote(keyFile, windows));
        }

        if (systemIdentifier is not null)
        {
            common.Append(" --system-id ").Append(systemIdentifier);
        }

        var tool = Quote(toolPath, windows);
        var push = new StringBuilder(tool).Append(" archive-push").Append(common);
        if (compression != WalToolOptions.DefaultCompression)
        {
            push.Append(" --compression ").Append(compression.Name);
            if (compression.Algorithm != CompressionAlgorithm.None)
            {
                push.Append(" --level ").Append(compression.Level);
            }
        }

        var archive = push.Append(windows ? " \"%p\" \"%f\"" : " %p %f").ToString();
        var restore = new StringBuilder(tool).Append(" archive-get").Append(common).Append(windows ? " \"%f\" \"%p\"" : " %f %p").ToString();
        return new WalArchiveCommand
        {
            Repository = repository,
            ArchiveCommand = archive,
            RestoreCommand = restore,
            ToolPath = toolPath,
            KeyFile = keyFile,
            RequiredEnvironment = passphrase
                ? $"{WalToolOptions.PassphraseVariable}=<the repository passphrase>, in the environment of the PostgreSQL service (systemd: a drop-in with EnvironmentFile= readable only by postgres). A key file is simpler and faster: each call derives the key from a passphrase anew."
                : null,
            AlterSystemSql = $"ALTER SYSTEM SET archive_mode = 'on';\nALTER SYSTEM SET archive_command = {SqlLiteral(archive)};\nSELECT pg_reload_conf();  -- archive_mode takes effect after a restart",
        };
    }

    /// <summary>Quotes a path for the shell PostgreSQL uses, and doubles % so PostgreSQL leaves it alone.</summary>
    public static string Quote(string path, bool windows)
    {
        var escaped = path.Replace("%", "%%", StringComparison.Ordinal);
        if (windows)
        {
            if (escaped.Contains('"', StringComparison.Ordinal))
            {
                throw new PgBackupException("WalCommandPathUnsupported", ErrorKind.InvalidArgument, $"The path '{path}' contains a double quote, which cmd.exe cannot quote. Use a path without '\"'.") { Target = path };
            }

            if (path.Contains('%', StringComparison.Ordinal))
            {
                // cmd.exe expands %NAME% even inside double quotes, after PostgreSQL has turned %% back into %.
                throw new PgBackupException("WalCommandPathUnsupported", ErrorKind.InvalidArgument, $"The path '{path}' contains '%', which cmd.exe would expand as an environment variable. Use a path without '%'.") { Target = path };
            }

            return "\"" + escaped + "\"";
        }

        return escaped.Length > 0 && escaped.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or ',')
            ? escaped
            : "'" + escaped.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static string SqlLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
