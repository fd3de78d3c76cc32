using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Notify;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Commands;

/// <summary>Backs up one or more databases with pg_dump into a repository: compressed, encrypted, verified by hash.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "PgBackup")]
[OutputType("PgBackupTools.Backup")]
public sealed class InvokePgBackupCommand : ServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Database { get; set; } = [];

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
        var compression = CompressionSettings.Create((CompressionAlgorithm)(int)Compression, CompressionLevel);
        var alerts = Notify ? RequireNotificationConfig(NotificationConfig) : null;
        foreach (var database in Database)
        {
            var request = new BackupRequest
            {
                Repository = repository,
                Key = key,
                Connection = ConnectionTo(database),
                Compression = compression,
                Tags = Tag,
                LockWait = LockTimeout,
            };
            try
            {
                var backup = RunEngine((context, token) => new LogicalBackupJob(context).RunAsync(request, token));
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
                    SendAlert(alerts, BackupAlert.Failed(repository, database, request.Connection.Endpoint, ex.ErrorId, ex.Message, DateTimeOffset.UtcNow));
                }
            }
        }
    }
}
