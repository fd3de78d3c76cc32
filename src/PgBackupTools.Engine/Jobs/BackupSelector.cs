using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Which backup a restore or verification means: an id, or the newest complete one of a database.</summary>
public sealed record BackupSelector(string? Id, string? Database)
{
    public static BackupSelector ById(string id) => new(id, null);

    public static BackupSelector LatestOf(string database) => new(null, database);

    public string Resolve(RepositorySession repository)
    {
        if (Id is not null)
        {
            return Id;
        }

        var listing = ManifestStore.List(repository, includeIncomplete: false);
        var latest = listing.Backups.FirstOrDefault(b => b.Database == Database && b.Status == BackupStatus.Complete);
        return latest?.Id ?? throw new PgBackupException(
            "BackupNotFound",
            ErrorKind.ObjectNotFound,
            $"Repository '{repository.Layout.Root}' has no complete backup of database '{Database}'. List them with Get-PgBackup.")
        { Target = Database };
    }
}
