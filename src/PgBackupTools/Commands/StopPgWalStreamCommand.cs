using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Commands;

/// <summary>Stops a pgbt-wal stream cleanly: what pg_receivewal completed is stored, the password file is removed.</summary>
[Cmdlet(VerbsLifecycle.Stop, "PgWalStream", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType("PgBackupTools.WalStream")]
public sealed class StopPgWalStreamCommand : PgBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidatePattern("^[a-z0-9_]{1,63}$")]
    public string Slot { get; set; } = WalStreamDefaults.Slot;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? SpoolPath { get; set; }

    [Parameter]
    [ValidateRange(1, 3600)]
    public int Timeout { get; set; } = 60;

    protected override void ProcessRecordCore()
    {
        var repository = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Repository);
        WalStreamControl.RequireRepository(repository);
        var spool = SpoolPath is null ? WalStreamControl.DefaultSpool(repository, Slot) : SessionState.Path.GetUnresolvedProviderPathFromPSPath(SpoolPath);
        var current = WalStreamControl.Describe(repository, Slot, spool);
        if (!current.Running)
        {
            WriteWarning($"No WAL stream runs for slot {Slot} (spool '{spool}').");
        }

        if (!ShouldProcess($"slot {Slot} ('{spool}')", current.Running ? $"Stop pgbt-wal stream (pid {current.ProcessId})" : "Remove the stream's password file"))
        {
            return;
        }

        WriteObject(RunEngine((_, token) => WalStreamControl.StopAsync(repository, Slot, spool, TimeSpan.FromSeconds(Timeout), token)));
    }
}
