namespace PgBackupTools.Engine.Errors;

/// <summary>What exactly did not authenticate or match, so a verification can name it.</summary>
public enum IntegrityFailure
{
    BadHeader,
    ChunkAuthenticationFailed,
    Truncated,
    TrailingData,
    ChecksumMismatch,
    SizeMismatch,
    ManifestAuthenticationFailed,
    ConfigAuthenticationFailed,
    MissingFile,
}

/// <summary>Stored bytes are not what was written: tampering, corruption, truncation or a missing file.</summary>
public sealed class IntegrityException : PgBackupException
{
    public IntegrityException(IntegrityFailure failure, string file, string message, long? chunkIndex = null, Exception? inner = null)
        : base("IntegrityCheckFailed", ErrorKind.InvalidData, message, inner)
    {
        Failure = failure;
        File = file;
        ChunkIndex = chunkIndex;
        Target = file;
    }

    public IntegrityFailure Failure { get; }

    /// <summary>Repository-relative path of the file that failed.</summary>
    public string File { get; }

    public long? ChunkIndex { get; }
}
