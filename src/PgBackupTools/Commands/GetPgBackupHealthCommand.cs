using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Health;

namespace PgBackupTools.Commands;

/// <summary>Checks that backups are recent, runs succeed, backups are verified and the repository has room.</summary>
[Cmdlet(VerbsCommon.Get, "PgBackupHealth")]
[OutputType("PgBackupTools.HealthReport")]
public sealed class GetPgBackupHealthCommand : RepositoryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(Position = 1)]
    public string[]? Database { get; set; }

    [Parameter]
    public TimeSpan WarningAge { get; set; } = TimeSpan.FromHours(6);

    [Parameter]
    public TimeSpan CriticalAge { get; set; } = TimeSpan.FromHours(25);

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long WarningFreeSpace { get; set; } = 5L * 1024 * 1024 * 1024;

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long CriticalFreeSpace { get; set; } = 1L * 1024 * 1024 * 1024;

    [Parameter]
    public TimeSpan VerificationMaxAge { get; set; } = TimeSpan.FromDays(8);

    [Parameter]
    public TimeSpan WalWarningAge { get; set; } = TimeSpan.FromMinutes(15);

    [Parameter]
    public TimeSpan WalCriticalAge { get; set; } = TimeSpan.FromHours(1);

    [Parameter]
    public string? PrometheusFile { get; set; }

    [Parameter]
    public SwitchParameter Notify { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NotificationConfig { get; set; }

    protected override void ProcessRecordCore()
    {
        var path = ResolvePath(Repository);
        var key = GetKeySource();
        var thresholds = new HealthThresholds
        {
            WarningAge = WarningAge,
            CriticalAge = CriticalAge,
            WarningFreeSpaceBytes = WarningFreeSpace,
            CriticalFreeSpaceBytes = CriticalFreeSpace,
            VerificationMaxAge = VerificationMaxAge,
            WalWarningAge = WalWarningAge,
            WalCriticalAge = WalCriticalAge,
        };
        var prometheus = PrometheusFile is null ? null : ResolvePath(PrometheusFile);
        var report = RunEngine((context, _) =>
        {
            var facts = HealthProbe.Gather(path, key, Database, HealthProbe.FreeSpaceOf);
            var result = HealthEvaluator.Evaluate(facts, thresholds, context.Time.GetUtcNow());
            if (prometheus is not null)
            {
                PrometheusTextfile.Write(prometheus, result, facts);
            }

            return Task.FromResult(result);
        });
        WriteObject(report);
        if (Notify)
        {
            SendAlert(RequireNotificationConfig(NotificationConfig), HealthAlert.From(report));
        }
    }
}
