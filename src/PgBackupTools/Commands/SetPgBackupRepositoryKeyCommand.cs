using System.Management.Automation;
using System.Security;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Commands;

/// <summary>Changes the passphrase or key file of a repository by re-wrapping its master key; backups are untouched.</summary>
[Cmdlet(VerbsCommon.Set, "PgBackupRepositoryKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = NewKeyFileSet)]
[OutputType("PgBackupTools.RepositoryInfo")]
public sealed class SetPgBackupRepositoryKeyCommand : RepositoryCmdlet
{
    private const string NewKeyFileSet = "NewKeyFile";
    private const string NewPassphraseSet = "NewPassphrase";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = NewKeyFileSet)]
    [ValidateNotNullOrEmpty]
    public string NewKeyFile { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = NewPassphraseSet)]
    public SecureString NewPassphrase { get; set; } = null!;

    protected override void ProcessRecordCore()
    {
        var path = ResolvePath(Repository);
        var current = GetKeySource();
        var next = ParameterSetName == NewKeyFileSet ? KeySources.From(ResolvePath(NewKeyFile), null) : KeySources.From(null, NewPassphrase);
        using var repository = BackupRepository.Open(path);
        repository.Unlock(current);
        if (!ShouldProcess(path, $"Re-wrap the master key under a new {next!.Kind}"))
        {
            return;
        }

        var info = RunEngine((_, _) => Task.FromResult(repository.ChangeKey(next)));
        WriteVerbose($"Repository '{path}' is now unlocked by the new {next.Kind}; the old one no longer works.");
        WriteObject(info);
    }
}
