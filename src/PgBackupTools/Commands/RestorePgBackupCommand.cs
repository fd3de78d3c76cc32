using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Jobs;

namespace PgBackupTools.Commands;

/// <summary>
/// Restores a logical backup into a database (the target is replaced only after a successful restore), or a
/// physical backup into an empty folder with point-in-time recovery from the WAL archive.
/// </summary>
[Cmdlet(VerbsData.Restore, "PgBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputObjectSet)]
[OutputType("PgBackupTools.RestoreResult", ParameterSetName = [InputObjectSet, IdSet, LatestSet])]
[OutputType("PgBackupTools.PhysicalRestoreResult", ParameterSetName = [PhysicalSet])]
public sealed partial class RestorePgBackupCommand : ServerCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string IdSet = "Id";
    private const string LatestSet = "Latest";
    private const string PhysicalSet = "Physical";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = PhysicalSet)]
    public Backup InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    [Parameter(ParameterSetName = PhysicalSet)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [Parameter(ParameterSetName = PhysicalSet)]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    [Parameter(ParameterSetName = PhysicalSet)]
    public SwitchParameter Latest { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet)]
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string TargetDatabase { get; set; } = "";

    [Parameter(ParameterSetName = InputObjectSet)]
    [Parameter(ParameterSetName = IdSet)]
    [Parameter(ParameterSetName = LatestSet)]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = 1;

    [Parameter(ParameterSetName = InputObjectSet)]
    [Parameter(ParameterSetName = IdSet)]
    [Parameter(ParameterSetName = LatestSet)]
    public SwitchParameter IncludeGlobals { get; set; }

    [Parameter(ParameterSetName = InputObjectSet)]
    [Parameter(ParameterSetName = IdSet)]
    [Parameter(ParameterSetName = LatestSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(ParameterSetName = InputObjectSet)]
    [Parameter(ParameterSetName = IdSet)]
    [Parameter(ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Schema { get; set; }

    [Parameter(ParameterSetName = InputObjectSet)]
    [Parameter(ParameterSetName = IdSet)]
    [Parameter(ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Table { get; set; }

    protected override void ProcessRecordCore()
    {
        if (ParameterSetName == PhysicalSet)
        {
            RestorePhysical();
            return;
        }

        var (repository, selector, label) = ParameterSetName switch
        {
            InputObjectSet => (InputObject.Repository, BackupSelector.ById(InputObject.Id), $"backup {InputObject.Id} of '{InputObject.Database}'"),
            IdSet => (ResolvePath(Repository), BackupSelector.ById(Id), $"backup {Id}"),
            _ => (ResolvePath(Repository), BackupSelector.LatestOf(Database), $"the latest backup of '{Database}'"),
        };
        var connection = ConnectionTo(null);
        var partial = Schema is not null || Table is not null;
        var action = (partial, Force.IsPresent) switch
        {
            (true, true) => $"Restore tables {string.Join(", ", (Table ?? []).Concat((Schema ?? []).Select(s => s + ".*")))} of {label} into database '{TargetDatabase}', replacing their current rows",
            (true, false) => $"Restore tables {string.Join(", ", (Table ?? []).Concat((Schema ?? []).Select(s => s + ".*")))} of {label} into database '{TargetDatabase}'",
            (false, true) => $"Restore {label}, replacing database '{TargetDatabase}' if it exists",
            _ => $"Restore {label} into database '{TargetDatabase}'",
        };
        if (!ShouldProcess($"{TargetDatabase} on {connection.Endpoint}", action))
        {
            return;
        }

        var request = new RestoreRequest
        {
            Repository = repository,
            Key = GetKeySource(),
            Backup = selector,
            Connection = connection,
            TargetDatabase = TargetDatabase,
            Jobs = Jobs,
            IncludeGlobals = IncludeGlobals,
            Force = Force,
            Schemas = Schema,
            Tables = Table,
        };
        WriteObject(RunEngine((context, token) => new LogicalRestoreJob(context).RunAsync(request, token)));
    }
}
