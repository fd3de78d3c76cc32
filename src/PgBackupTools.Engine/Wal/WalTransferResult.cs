namespace PgBackupTools.Engine.Wal;

public enum WalPushResult
{
    /// <summary>The file is now durably in the archive.</summary>
    Stored,

    /// <summary>An identical file was already archived (PostgreSQL re-pushes after a crash): nothing written.</summary>
    AlreadyArchived,
}

public enum WalFetchResult
{
    Restored,

    /// <summary>Not archived, and nothing after it either: the normal end of the archive.</summary>
    NotFound,

    /// <summary>Not archived, but later segments of its timeline are: recovery must stop here, not end quietly.</summary>
    Gap,
}
