using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Physical;

namespace PgBackupTools.Commands;

/// <summary>The -Type Physical parameter set: base backup + WAL archive → a recovered cluster in a folder.</summary>
public sealed partial class RestorePgBackupCommand
{
    [Parameter(Mandatory = true, ParameterSetName = PhysicalSet)]
    public BackupKind Type { get; set; } = BackupKind.Logical;

    [Parameter(Mandatory = true, ParameterSetName = PhysicalSet)]
    [ValidateNotNullOrEmpty]
    public string TargetPath { get; set; } = "";

    [Parameter(ParameterSetName = PhysicalSet)]
    public DateTimeOffset? PointInTime { get; set; }

    [Parameter(ParameterSetName = PhysicalSet)]
    [ValidateNotNullOrEmpty]
    public string? TargetLsn { get; set; }

    [Parameter(ParameterSetName = PhysicalSet)]
    [ValidateNotNullOrEmpty]
    public string? TargetName { get; set; }

    [Parameter(ParameterSetName = PhysicalSet)]
    public SwitchParameter Start { get; set; }

    [Parameter(ParameterSetName = PhysicalSet)]
    public SwitchParameter KeepArchiving { get; set; }

    [Parameter(ParameterSetName = PhysicalSet)]
    public TimeSpan RecoveryTimeout { get; set; } = TimeSpan.FromHours(4);

    private void RestorePhysical()
    {
        if (Type != BackupKind.Physical)
        {
            throw new PgBackupException("BackupTypeMismatch", ErrorKind.InvalidArgument, "-TargetPath restores a physical backup; add -Type Physical, or use -TargetDatabase for a logical one.");
        }

        if (InputObject is not null && InputObject.Type != BackupType.Physical)
        {
            throw new PgBackupException("BackupTypeMismatch", ErrorKind.InvalidArgument, $"Backup '{InputObject.Id}' is a logical backup; restore it with -TargetDatabase, without -Type Physical.") { Target = InputObject.Id };
        }

        var repositoryPath = InputObject?.Repository ?? (string.IsNullOrEmpty(Repository)
            ? throw new PgBackupException("RepositoryRequired", ErrorKind.InvalidArgument, "Give -Repository, or pipe a physical backup from Get-PgBackup.")
            : ResolvePath(Repository));
        var target = RecoveryTargetFromParameters();
        var path = ResolvePath(TargetPath);
        var id = InputObject?.Id ?? (string.IsNullOrEmpty(Id) ? null : Id);
        var what = $"Restore {(id is null ? "the newest suitable physical backup" : "physical backup " + id)} into '{path}' and {(Start ? "recover" : "configure recovery")} to {target.Description}";
        if (!ShouldProcess(path, what))
        {
            return;
        }

        var request = new PhysicalRestoreRequest
        {
            Repository = repositoryPath,
            Key = GetKeySource(),
            KeyFilePath = KeyFile is null ? null : ResolvePath(KeyFile),
            TargetPath = path,
            Target = target,
            BackupId = id,
            Port = Port,
            Start = Start,
            KeepArchiving = KeepArchiving,
            RecoveryTimeout = RecoveryTimeout,
            WalToolPath = WalToolLocation.Find(),
        };
        if (Passphrase is not null && !Start)
        {
            WriteWarning($"restore_command needs the repository passphrase in PGBACKUPTOOLS_PASSPHRASE in the environment of the server that recovers '{path}'.");
        }

        WriteObject(RunEngine((context, token) => new PhysicalRestoreJob(context).RunAsync(request, token)));
    }

    private RecoveryTarget RecoveryTargetFromParameters()
    {
        var given = new (bool Present, Func<RecoveryTarget> Make)[]
        {
            (PointInTime is not null, () => RecoveryTarget.AtTime(PointInTime!.Value)),
            (TargetLsn is not null, () => RecoveryTarget.AtLsn(TargetLsn!)),
            (TargetName is not null, () => RecoveryTarget.AtName(TargetName!)),
            (Latest.IsPresent, () => RecoveryTarget.Latest),
        }.Where(t => t.Present).ToList();
        return given.Count switch
        {
            0 => RecoveryTarget.Latest,
            1 => given[0].Make(),
            _ => throw new PgBackupException("AmbiguousRecoveryTarget", ErrorKind.InvalidArgument, "Give one recovery target: -PointInTime, -TargetLsn, -TargetName or -Latest."),
        };
    }
}
