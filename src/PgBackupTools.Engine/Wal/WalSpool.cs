using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// The folder pg_receivewal writes into. pg_receivewal writes a segment as &lt;name&gt;.partial and renames it to
/// &lt;name&gt; once it is complete and fsynced (history files likewise appear only complete), so every file with a
/// plain WAL name is ready. <see cref="DrainAsync"/> pushes those in name order and deletes them, except the newest
/// segment: it stays as pg_receivewal's resume point (with an empty folder, pg_receivewal of PostgreSQL before 15
/// would start at the server's current position and leave a gap). A .partial file is never touched.
/// </summary>
public sealed class WalSpool : IDisposable
{
    private readonly RepositorySession _session;
    private readonly CompressionSettings _compression;
    private readonly TimeProvider _time;
    private ulong? _systemIdentifier;
    private WalArchive? _archive;
    private string? _retained;

    public WalSpool(string directory, RepositorySession session, ulong? systemIdentifier, CompressionSettings compression, TimeProvider time)
    {
        Directory = directory;
        _session = session;
        _systemIdentifier = systemIdentifier;
        _compression = compression;
        _time = time;
    }

    public string Directory { get; }

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

        return pushed;
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
            _systemIdentifier = ReadSystemIdentifier(segmentPath);
        }

        return _systemIdentifier is { } id ? _archive = WalArchive.Open(_session, id) : null;
    }

    private static ulong? ReadSystemIdentifier(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        var bytes = new byte[WalPageHeader.Length];
        if (file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
        {
            return null;
        }

        var header = WalPageHeader.Read(bytes);
        return header.MajorVersion is null ? null : header.SystemIdentifier;
    }

    private static bool IsUpperHex(string text) => text.All(c => c is (>= '0' and <= '9') or (>= 'A' and <= 'F'));
}
