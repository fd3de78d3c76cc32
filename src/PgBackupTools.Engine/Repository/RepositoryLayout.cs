namespace PgBackupTools.Engine.Repository;

/// <summary>Where things live inside a repository directory (see docs/repository-format.md).</summary>
public sealed class RepositoryLayout
{
    public const string IncompletePrefix = ".incomplete-";
    public const string DeletingPrefix = ".deleting-";

    public RepositoryLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string ConfigFile => Path.Combine(Root, "config.json");
    public string ConfigMacFile => Path.Combine(Root, "config.mac");
    public string BackupsDirectory => Path.Combine(Root, "backups");
    public string LocksDirectory => Path.Combine(Root, "locks");

    public string BackupDirectory(string backupId) => Path.Combine(BackupsDirectory, backupId);

    public string IncompleteDirectory(string backupId) => Path.Combine(BackupsDirectory, IncompletePrefix + backupId);
}
