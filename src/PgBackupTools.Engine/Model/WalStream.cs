namespace PgBackupTools;

/// <summary>A pgbt-wal stream of one replication slot into a repository (Start-, Stop-, Get-PgWalStream).</summary>
public sealed record WalStream
{
    public required string Repository { get; init; }
    public required string Slot { get; init; }

    /// <summary>The folder pg_receivewal writes into; completed segments leave it for the repository's wal/.</summary>
    public required string SpoolPath { get; init; }

    /// <summary>The pgbt-wal stream process, while it runs (or the last one known).</summary>
    public int? ProcessId { get; init; }

    public required bool Running { get; init; }

    /// <summary>starting, running, retrying (pg_receivewal ended, starting it again), stopped, failed; null when it never ran.</summary>
    public string? State { get; init; }

    public DateTimeOffset? Started { get; init; }

    /// <summary>The newest WAL file moved into the repository by this stream, and when.</summary>
    public string? LastSegment { get; init; }

    public DateTimeOffset? LastPushed { get; init; }
    public long PushedCount { get; init; }
    public string? LastError { get; init; }
    public string? SystemIdentifier { get; init; }

    /// <summary>Where the stream's own and pg_receivewal's messages go when started by Start-PgWalStream.</summary>
    public required string LogPath { get; init; }
}
