using System.Globalization;
using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Retention;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Commands;

/// <summary>Applies a retention policy to a repository: removes the backups it no longer keeps, and abandoned runs.</summary>
[Cmdlet(VerbsCommon.Remove, "PgBackupExpired", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType("PgBackupTools.RetentionDecision")]
public sealed class RemovePgBackupExpiredCommand : RepositoryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepDaily { get; set; } = 7;

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepWeekly { get; set; } = 4;

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepMonthly { get; set; } = 12;

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepYearly { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepLast { get; set; } = 1;

    [Parameter]
    public TimeSpan? KeepWithin { get; set; }

    [Parameter]
    public DateTime? AsOf { get; set; }

    [Parameter]
    public SwitchParameter Utc { get; set; }

    [Parameter]
    public TimeSpan IncompleteGracePeriod { get; set; } = TimeSpan.FromDays(1);

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Where "now" comes from when -AsOf is not given (tests substitute it).</summary>
    internal TimeProvider Time { get; set; } = TimeProvider.System;

    protected override void ProcessRecordCore()
    {
        var path = ResolvePath(Repository);
        using var repository = BackupRepository.Open(path);
        var key = GetKeySource();
        if (key is not null || !repository.IsEncrypted)
        {
            repository.Unlock(key);
        }
        else
        {
            WriteWarning($"Manifests of '{path}' are not authenticated because no -KeyFile or -Passphrase was given; a tampered manifest could change which backups are removed.");
        }

        var policy = new RetentionPolicy
        {
            KeepLast = KeepLast,
            KeepDaily = KeepDaily,
            KeepWeekly = KeepWeekly,
            KeepMonthly = KeepMonthly,
            KeepYearly = KeepYearly,
            KeepWithin = KeepWithin,
            TimeZone = Utc ? TimeZoneInfo.Utc : TimeZoneInfo.Local,
            IncompleteGracePeriod = IncompleteGracePeriod,
        };
        var now = AsOf is { } asOf ? AsOfInstant(asOf) : Time.GetUtcNow();
        var patterns = Database?.Select(d => new WildcardPattern(d, WildcardOptions.IgnoreCase)).ToList();
        bool Include(string database) => patterns is null || patterns.Any(p => p.IsMatch(database));

        using var run = RunEngine((context, token) => RetentionRun.StartAsync(repository, context, TimeSpan.Zero, token));
        var plan = RunEngine((_, _) => Task.FromResult(run.Plan(policy, now, Include)));
        foreach (var problem in plan.Problems)
        {
            WriteError(ErrorRecords.From(problem));
        }

        var removed = 0;
        var freed = run.Recovered.BytesFreed;
        var gone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var decision in plan.Decisions)
        {
            if (decision.Action == RetentionAction.Remove && WhatIfRequested)
            {
                gone.Add(decision.Id); // what WAL would go is shown as if the removal happened
            }

            if (decision.Action == RetentionAction.Remove && Approve(decision))
            {
                try
                {
                    freed += RunEngine((_, _) => Task.FromResult(run.Remove(decision))).BytesFreed;
                    removed++;
                    gone.Add(decision.Id);
                    WriteVerbose($"Removed backup {decision.Id} of '{decision.Database}' ({string.Join("; ", decision.Reasons)}).");
                }
                catch (PgBackupException ex)
                {
                    WriteError(ErrorRecords.From(ex));
                    WriteObject(decision with { Action = RetentionAction.Keep, Reasons = [.. decision.Reasons, "removal failed: " + ex.ErrorId] });
                    continue;
                }
            }
            else if (decision.Action == RetentionAction.Remove && !WhatIfRequested)
            {
                WriteObject(decision with { Action = RetentionAction.Keep, Reasons = [.. decision.Reasons, "removal not confirmed"] });
                continue;
            }

            WriteObject(decision);
        }

        var walFiles = ExpireWal(run, repository, gone, ref freed);
        var summary = string.Create(CultureInfo.InvariantCulture, $"Removed {removed} of {plan.Decisions.Count} backup(s) and {walFiles} WAL file(s) in '{path}', freed {freed} bytes ({freed / 1048576.0:0.0} MiB).");
        WriteVerbose(summary);
        WriteInformation(new InformationRecord(summary, MyInvocation.MyCommand.Name) { Tags = { "PgBackupTools", "Retention", "Summary" } });
    }

    private bool WhatIfRequested =>
        (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && ((SwitchParameter)w).IsPresent)
        || (!MyInvocation.BoundParameters.ContainsKey("WhatIf") && GetVariableValue("WhatIfPreference") is SwitchParameter { IsPresent: true } or true);

    /// <summary>Removes archived WAL older than the start of the oldest physical backup that is left.</summary>
    private int ExpireWal(RetentionRun run, RepositorySession repository, IReadOnlySet<string> gone, ref long freed)
    {
        if (!repository.IsUnlocked)
        {
            WriteWarning("Archived WAL is not expired without -KeyFile or -Passphrase: which WAL the remaining physical backups need is read from authenticated manifests only.");
            return 0;
        }

        var removed = 0;
        foreach (var wal in RunEngine((_, _) => Task.FromResult(run.PlanWal(gone))))
        {
            if (wal.Remove.Count == 0)
            {
                continue;
            }

            var target = string.Create(CultureInfo.InvariantCulture, $"{wal.Remove.Count} archived WAL file(s) of system {wal.SystemIdentifier} ({wal.Bytes / 1048576.0:0.0} MiB) before {wal.KeepFrom}");
            var action = $"Remove WAL older than the start of the oldest remaining physical backup ({wal.OldestBackupId})";
            if (WhatIfRequested)
            {
                ShouldProcess(target, action);
                continue;
            }

            if (Force || ShouldProcess(target, action))
            {
                var (files, bytes) = RunEngine((_, _) => Task.FromResult(WalRetention.Apply(wal)));
                removed += files;
                freed += bytes;
                WriteVerbose($"Removed {files} WAL file(s) of system {wal.SystemIdentifier} before {wal.KeepFrom}: no remaining physical backup needs them.");
            }
        }

        return removed;
    }

    // -Force skips the confirmation prompt, but -WhatIf still only describes.
    private bool Approve(RetentionDecision decision)
    {
        var target = $"{decision.Id} ({decision.Database}, {decision.StartTime.LocalDateTime:yyyy-MM-dd HH:mm})";
        var action = decision.Status == BackupStatus.Complete ? "Remove backup" : "Remove abandoned backup run";
        if (WhatIfRequested)
        {
            ShouldProcess(target, action);
            return false;
        }

        return Force || ShouldProcess(target, action);
    }

    // A date without a kind (-AsOf 2026-11-25) is read in the time zone the buckets use.
    private DateTimeOffset AsOfInstant(DateTime asOf) => asOf.Kind switch
    {
        DateTimeKind.Unspecified => new DateTimeOffset(DateTime.SpecifyKind(asOf, Utc ? DateTimeKind.Utc : DateTimeKind.Local)),
        _ => new DateTimeOffset(asOf),
    };
}
