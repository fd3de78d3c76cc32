using System.Management.Automation;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Commands;

/// <summary>Lists the backups in a repository, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "PgBackup", DefaultParameterSetName = "List")]
[OutputType("PgBackupTools.Backup")]
public sealed class GetPgBackupCommand : RepositoryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string[]? Database { get; set; }

    [Parameter]
    public string[]? Id { get; set; }

    [Parameter]
    public SwitchParameter Latest { get; set; }

    [Parameter]
    public string[]? Tag { get; set; }

    [Parameter]
    public SwitchParameter IncludeIncomplete { get; set; }

    protected override void ProcessRecordCore()
    {
        using var repository = BackupRepository.Open(ResolvePath(Repository));
        var key = GetKeySource();
        if (key is not null)
        {
            repository.Unlock(key);
        }

        var listing = ManifestStore.List(repository, IncludeIncomplete);
        foreach (var problem in listing.Problems)
        {
            WriteError(ErrorRecords.From(problem));
        }

        var patterns = Database?.Select(d => new WildcardPattern(d, WildcardOptions.IgnoreCase)).ToList();
        var selected = listing.Backups
            .Where(b => patterns is null || patterns.Any(p => p.IsMatch(b.Database)))
            .Where(b => Id is null || Id.Contains(b.Id, StringComparer.OrdinalIgnoreCase))
            .Where(b => Tag is null || Tag.Any(t => b.Tags.Contains(t, StringComparer.OrdinalIgnoreCase)));
        if (Latest)
        {
            selected = selected.Where(b => b.Status == BackupStatus.Complete).GroupBy(b => b.Database).Select(g => g.First());
        }

        foreach (var backup in selected)
        {
            if (repository.IsUnlocked && backup.Status == BackupStatus.Complete)
            {
                // With the key, each listed backup's manifest is authenticated, so a tampered one is reported.
                try
                {
                    ManifestStore.Load(repository, backup.Id);
                }
                catch (Engine.Errors.PgBackupException ex)
                {
                    WriteError(ErrorRecords.From(ex));
                    continue;
                }
            }

            WriteObject(backup);
        }
    }
}
