using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;

namespace PgBackupTools.Commands;

/// <summary>Proves a backup can come back: checksums, archive structure, or a real trial restore with row counts and amcheck.</summary>
[Cmdlet(VerbsDiagnostic.Test, "PgBackup", DefaultParameterSetName = InputObjectSet)]
[OutputType("PgBackupTools.VerificationResult")]
public sealed class TestPgBackupCommand : RepositoryCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string IdSet = "Id";
    private const string LatestSet = "Latest";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public Backup InputObject { get; set; } = null!;

    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = LatestSet)]
    public SwitchParameter Latest { get; set; }

    [Parameter]
    [ValidateSet("Checksum", "Structure", "Restore")]
    public string? Level { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchHost { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int? ScratchPort { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? ScratchCredential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchConnectionString { get; set; }

    /// <summary>Physical backups at level Restore: the folder the trial cluster is restored under (default: the temp folder).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchPath { get; set; }

    [Parameter]
    public SwitchParameter AllowSourceServer { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = 1;

    [Parameter]
    public string? LogPath { get; set; }

    protected override string? LogPathOrNull() => LogPath is null ? null : ResolvePath(LogPath);

    protected override void ProcessRecordCore()
    {
        var (repository, selector) = ParameterSetName switch
        {
            InputObjectSet => (InputObject.Repository, BackupSelector.ById(InputObject.Id)),
            IdSet => (ResolvePath(Repository), BackupSelector.ById(Id)),
            _ => (ResolvePath(Repository), BackupSelector.LatestOf(Database)),
        };
        var scratchGiven = ScratchHost is not null || ScratchPort is not null || ScratchConnectionString is not null || ScratchCredential is not null;
        var request = new VerificationRequest
        {
            Repository = repository,
            Key = GetKeySource(),
            Backup = selector,
            Level = Level is null ? null : Enum.Parse<VerificationLevel>(Level),
            Scratch = scratchGiven ? ConnectionParameters.ToSettings(ScratchConnectionString, ScratchHost, ScratchPort, null, ScratchCredential) : null,
            AllowSourceServer = AllowSourceServer,
            Jobs = Jobs,
            WalToolPath = WalToolLocation.TryFind(),
            KeyFilePath = KeyFile is null ? null : ResolvePath(KeyFile),
            ScratchPath = ScratchPath is null ? null : ResolvePath(ScratchPath),
        };
        var result = RunEngine((context, token) => new VerificationJob(context).RunAsync(request, token));
        WriteObject(result);
        switch (result.Status)
        {
            case VerificationStatus.Failed:
                WriteError(ErrorRecords.Create(
                    "VerificationFailed",
                    ErrorKind.InvalidData,
                    $"Backup {result.BackupId} of '{result.Database}' failed verification at level {result.Level}: {FirstProblem(result)}",
                    result));
                break;
            case VerificationStatus.Error:
                WriteError(ErrorRecords.Create(
                    "VerificationError",
                    ErrorKind.ResourceUnavailable,
                    $"Backup {result.BackupId} of '{result.Database}' could not be verified at level {result.Level}: {FirstProblem(result)}",
                    result));
                break;
            case VerificationStatus.Skipped:
                WriteWarning($"Backup {result.BackupId}: not every check of level {result.Level} could run, so it is not reported as Passed: {FirstProblem(result)}");
                break;
        }
    }

    private static string FirstProblem(VerificationResult result) =>
        result.Checks.FirstOrDefault(c => c.Status != VerificationStatus.Passed) is { } check ? $"{check.Name}: {check.Detail}" : "";
}
