using System.Management.Automation;
using System.Net;
using System.Security;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Commands.Infrastructure;

/// <summary>Cmdlets that work on a repository: -Repository, and -KeyFile or -Passphrase to unlock it.</summary>
public abstract class RepositoryCmdlet : PgBackupCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? KeyFile { get; set; }

    [Parameter]
    public SecureString? Passphrase { get; set; }

    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    protected string RequireNotificationConfig(string? path) => path is null
        ? throw new PgBackupException(
            "NotificationConfigRequired",
            ErrorKind.InvalidArgument,
            "-Notify needs -NotificationConfig <path to the JSON file with the channels>; see Get-Help Send-PgBackupNotification.")
        : ResolvePath(path);

    /// <summary>The key the user gave, or null. Both at once is refused: which one was meant is unclear.</summary>
    protected KeySource? GetKeySource() => KeySources.From(KeyFile is null ? null : ResolvePath(KeyFile), Passphrase);
}

internal static class KeySources
{
    public static KeySource? From(string? keyFilePath, SecureString? passphrase)
    {
        if (keyFilePath is not null && passphrase is not null)
        {
            throw new PgBackupException(
                "AmbiguousKey",
                ErrorKind.InvalidArgument,
                "Give either -KeyFile or -Passphrase, not both. A repository is unlocked by the one it was initialised (or last re-keyed) with.");
        }

        if (keyFilePath is not null)
        {
            return KeySource.FromKeyFile(keyFilePath);
        }

        return passphrase is null ? null : KeySource.FromPassphrase(new NetworkCredential(string.Empty, passphrase).Password);
    }
}
