using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Notify;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Commands;

/// <summary>
/// Backs up databases with pg_dump (logical), or the whole cluster with pg_basebackup (physical, for point-in-time
/// recovery with the WAL archive), into a repository: compressed, encrypted, verified by hash.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PgBackup", DefaultParameterSetName = LogicalSet)]
[OutputType("PgBackupTools.Backup")]
public sealed class InvokePgBackupCommand : ServerCmdlet
{
    private const string LogicalSet = "Logical";
    private const string PhysicalSet = "Physical";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    // Not Mandatory: `-Type Physical` without a physical-only switch binds to the default (logical) set, and must still
    // take a base backup instead of asking for a database. A logical backup without -Database is refused below.
    [Parameter(Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LogicalSet)]
    [ValidateNotNullOrEmpty]
    public string[] Database { get; set; } = [];

    [Parameter(ParameterSetName = LogicalSet)]
    [Parameter(Mandatory = true, ParameterSetName = PhysicalSet)]
    public BackupKind Type { get; set; } = BackupKind.Logical;

    [Parameter(ParameterSetName = PhysicalSet)]
    public SwitchParameter FastCheckpoint { get; set; }

    [Parameter(ParameterSetName = PhysicalSet)]
    public SwitchParameter IncludeWal { get; set; }

    [Parameter]
    [ValidateRange(32, 1048576)]
    public int? MaxRateKB { get; set; }

    [Parameter(ParameterSetName = PhysicalSet)]
    public SwitchParameter ClientCompression { get; set; }

    [Parameter(ParameterSetName = PhysicalSet)]
    public TimeSpan WalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    [Parameter]
    public BackupCompression Compression { get; set; } = BackupCompression.Zstd;

    [Parameter]
    [ValidateRange(1, 19)]
    public int? CompressionLevel { get; set; }

    [Parameter]
    public string[] Tag { get; set; } = [];

    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.Zero;

    [Parameter]
    public SwitchParameter Notify { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NotificationConfig { get; set; }

    protected override void ProcessRecordCore()
    {
        var repository = ResolvePath(Repository);
        var key = GetKeySource();
        var physical = Type == BackupKind.Physical;
        var compression = CompressionSettings.Create(
            (CompressionAlgorithm)(int)Compression, CompressionLevel, physical ? PhysicalBackupJob.DefaultZstdLevel : CompressionSettings.DefaultZstdLevel);
        var alerts = Notify ? RequireNotificationConfig(NotificationConfig) : null;
        if (!physical && Database.Length == 0)
        {
            throw new Engine.Errors.PgBackupException(
                "DatabaseRequired", Engine.Errors.ErrorKind.InvalidArgument, "A logical backup needs -Database; a physical backup (-Type Physical) takes the whole cluster.");
        }

        if (physical && Database.Length > 0)
        {
            throw new Engine.Errors.PgBackupException(
                "DatabaseNotForPhysical", Engine.Errors.ErrorKind.InvalidArgument, "A physical backup (-Type Physical) takes the whole cluster; leave out -Database, or drop -Type Physical for a logical backup of those databases.");
        }

        foreach (var database in physical ? [null] : Database.Select(d => (string?)d))
        {
            var request = new BackupRequest
            {
                Repository = repository,
                Key = key,
                // A base backup is of the whole cluster; the check queries run in the maintenance database unless a connection string names one.
                Connection = ConnectionTo(physical && ConnectionString is null ? "postgres" : database),
                Compression = compression,
                Tags = Tag,
                LockWait = LockTimeout,
                FastCheckpoint = FastCheckpoint,
                IncludeWal = IncludeWal,
                CompressOnClient = ClientCompression,
                MaxRateKilobytesPerSecond = MaxRateKB,
                WalTimeout = WalTimeout,
            };
            try
            {
                var backup = RunEngine((context, token) => physical
                    ? new PhysicalBackupJob(context).RunAsync(request, token)
                    : new LogicalBackupJob(context).RunAsync(request, token));
                WriteObject(backup);
                if (alerts is not null)
                {
                    SendAlert(alerts, BackupAlert.Succeeded(backup));
                }
            }
            catch (Engine.Errors.PgBackupException ex)
            {
                // One database failing does not stop the others; each failure is its own error record.
                WriteError(ErrorRecords.From(ex));
                if (alerts is not null)
                {
                    SendAlert(alerts, BackupAlert.Failed(repository, database ?? "(cluster)", request.Connection.Endpoint, ex.ErrorId, ex.Message, DateTimeOffset.UtcNow));
                }
            }
        }
    }
}
