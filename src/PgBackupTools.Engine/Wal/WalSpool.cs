using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// The folder pg_receivewal writes into. pg_receivewal writes a segment as &lt;name&gt;.partial and renames it to
/// &lt;name&gt; once it is complete and fsynced (history files likewise appear only complete), so every file with a
/// plain WAL name is ready. <see cref="DrainAsync"/> pushes those in name order and deletes them, except the newest
/// segment: it stays as pg_receivewal's resume point (with an empty folder, pg_receivewal of PostgreSQL before 15
/// would start at the server's current position and leave a gap). The .partial file of the segment being filled is
/// never changed, but a copy of it is pushed every <see cref="PartialInterval"/> when it has grown, so the archive
/// is seconds behind the server even when a segment takes minutes to fill.
/// </summary>
public sealed class WalSpool : IDisposable
{
    private readonly RepositorySession _session;
    private readonly CompressionSettings _compression;
    private readonly TimeProvider _time;
    private ulong? _systemIdentifier;
    private WalArchive? _archive;
    private string? _retained;
    private (string Name, DateTime Written, long Length)? _lastPartial;
    private DateTimeOffset _partialDue = DateTimeOffset.MinValue;

    public WalSpool(string directory, RepositorySession session, ulong? systemIdentifier, CompressionSettings compression, TimeProvider time)
    {
        Directory = directory;
        _session = session;
        _systemIdentifier = systemIdentifier;
        _compression = compression;
        _time = time;
    }

    public string Directory { get; }

    /// <summary>How often the growing .partial segment is copied into the archive; zero turns that off.</summary>
    public TimeSpan PartialInterval { get; init; } = TimeSpan.FromSeconds(5);

    public ulong? SystemIdentifier => _systemIdentifier;

    /// <summary>True for the names pg_receivewal gives finished files: a 24-digit segment or a timeline history file.</summary>
    public static bool IsCompleted(string fileName) =>
        fileName.Length == WalFileName.SegmentNameLength ? IsUpperHex(fileName)
        : fileName.Length == 16 && fileName.EndsWith(".history", StringComparison.Ordinal) && IsUpperHex(fileName[..8]);

    /// <summary>The finished files now in the spool, in the order they are pushed.</summary>
    public IReadOnlyList<string> Completed() =>
        new DirectoryInfo(Directory).EnumerateFiles()
            .Select(f => f.Name)
            .Where(IsCompleted)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Pushes every finished file not pushed yet, oldest first, and removes what is safely stored. Stops at the
    /// first failure (the exception propagates) so the repository never gets a later segment before an earlier one.
    /// </summary>
    public async Task<IReadOnlyList<string>> DrainAsync(CancellationToken cancellationToken)
    {
        var pushed = new List<string>();
        var completed = Completed();
        var newestSegment = completed.LastOrDefault(n => n.Length == WalFileName.SegmentNameLength);
        foreach (var name in completed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.Combine(Directory, name);
            var isSegment = name.Length == WalFileName.SegmentNameLength;
            if (name == _retained)
            {
                continue;
            }

            var archive = ArchiveFor(isSegment ? path : null);
            if (archive is null)
            {
                continue; // A history file before the first segment: the cluster is not known yet.
            }

            await WalPush.PushAsync(archive, path, name, _compression, _time, cancellationToken).ConfigureAwait(false);
            pushed.Add(name);
            if (isSegment && name == newestSegment)
            {
                // The previous resume point is stored already and superseded now.
                if (_retained is not null)
                {
                    File.Delete(Path.Combine(Directory, _retained));
                }

                _retained = name;
            }
            else
            {
                File.Delete(path);
            }
        }

        if (await PushPartialAsync(cancellationToken).ConfigureAwait(false) is { } partial)
        {
            pushed.Add(partial);
        }

        return pushed;
    }

    /// <summary>Copies the segment pg_receivewal is filling into the archive, when it changed and is due.</summary>
    private async Task<string?> PushPartialAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (PartialInterval <= TimeSpan.Zero || now < _partialDue)
        {
            return null;
        }

        _partialDue = now + PartialInterval;
        var file = new DirectoryInfo(Directory).EnumerateFiles("*.partial")
            .Where(f => f.Name.Length == WalFileName.SegmentNameLength + 8 && IsUpperHex(f.Name[..WalFileName.SegmentNameLength]))
            .MaxBy(f => f.Name, StringComparer.Ordinal);
        if (file is null || _lastPartial == (file.Name, file.LastWriteTimeUtc, file.Length))
        {
            return null;
        }

        var archive = ArchiveFor(file.FullName);
        if (archive is null)
        {
            return null;
        }

        try
        {
            await WalPush.PushAsync(archive, file.FullName, file.Name, _compression, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (PgBackupException ex) when (ex.ErrorId is "WalFileNotFound" or "WalFileInvalid")
        {
            // Completed and renamed meanwhile (the next drain pushes the whole segment), or its first page is not written yet.
            return null;
        }

        _lastPartial = (file.Name, file.LastWriteTimeUtc, file.Length);
        return file.Name;
    }

    public void Dispose() => _archive?.Dispose();

    private WalArchive? ArchiveFor(string? segmentPath)
    {
        if (_archive is not null)
        {
            return _archive;
        }

        if (_systemIdentifier is null && segmentPath is not null)
        {
            _systemIdentifier = WalPageHeader.TryReadSystemIdentifier(segmentPath);
        }

        return _systemIdentifier is { } id ? _archive = WalArchive.Open(_session, id) : null;
    }

    private static bool IsUpperHex(string text) => text.All(c => c is (>= '0' and <= '9') or (>= 'A' and <= 'F'));
}
