using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Crypto;

namespace PgBackupTools.Commands;

/// <summary>Writes a new random 256-bit key file (mode 0600) that can unlock a repository.</summary>
[Cmdlet(VerbsCommon.New, "PgBackupKeyFile")]
[OutputType(typeof(FileInfo))]
public sealed class NewPgBackupKeyFileCommand : PgBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    protected override void ProcessRecordCore()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        KeyFile.Create(path);
        WriteVerbose($"Wrote a new 256-bit key file to '{path}'. Keep a copy somewhere safe: without it the backups cannot be decrypted.");
        WriteObject(new FileInfo(path));
    }
}
