using System.Management.Automation;
using System.Security;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Commands;

/// <summary>Creates a new backup repository, encrypted with a passphrase or key file, or explicitly unencrypted.</summary>
[Cmdlet(VerbsData.Initialize, "PgBackupRepository", DefaultParameterSetName = KeyFileSet)]
[OutputType("PgBackupTools.RepositoryInfo")]
public sealed class InitializePgBackupRepositoryCommand : PgBackupCmdlet
{
    private const string KeyFileSet = "KeyFile";
    private const string PassphraseSet = "Passphrase";
    private const string NoEncryptionSet = "NoEncryption";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = KeyFileSet)]
    [ValidateNotNullOrEmpty]
    public string KeyFile { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = PassphraseSet)]
    public SecureString Passphrase { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = NoEncryptionSet)]
    public SwitchParameter NoEncryption { get; set; }

    protected override void ProcessRecordCore()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Repository);
        var key = ParameterSetName switch
        {
            KeyFileSet => KeySources.From(SessionState.Path.GetUnresolvedProviderPathFromPSPath(KeyFile), null),
            PassphraseSet => KeySources.From(null, Passphrase),
            _ => null,
        };
        if (key is null)
        {
            WriteWarning($"Repository '{path}' will not be encrypted: anyone who can read it can read the data.");
        }

        var info = RunEngine((context, _) => Task.FromResult(BackupRepository.Initialize(path, key, context.Time)));
        WriteVerbose($"Initialised repository {info.Id} at '{info.Path}' (encrypted: {info.Encrypted}).");
        WriteObject(info);
    }
}
