using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Commands;

/// <summary>Shows the WAL streams of a repository: running or not, the last segment stored and when.</summary>
[Cmdlet(VerbsCommon.Get, "PgWalStream")]
[OutputType("PgBackupTools.WalStream")]
public sealed class GetPgWalStreamCommand : PgBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidatePattern("^[a-z0-9_]{1,63}$")]
    public string? Slot { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? SpoolPath { get; set; }

    protected override void ProcessRecordCore()
    {
        var repository = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Repository);
        WalStreamControl.RequireRepository(repository);
        if (SpoolPath is not null)
        {
            var spool = SessionState.Path.GetUnresolvedProviderPathFromPSPath(SpoolPath);
            WriteObject(WalStreamControl.Describe(repository, Slot ?? WalStreamDefaults.Slot, spool));
            return;
        }

        var slots = Slot is null ? WalStreamControl.ListSlots(repository) : [Slot];
        foreach (var slot in slots)
        {
            WriteObject(WalStreamControl.Describe(repository, slot, WalStreamControl.DefaultSpool(repository, slot)));
        }
    }
}
