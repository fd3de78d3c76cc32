using System.Buffers;
using System.Diagnostics;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// archive_command's half: stores one WAL file and reports success only once it is durable. The file is
/// checked against its name first, written under a temporary name, fsynced, and published by a rename that
/// never replaces anything; an identical re-push succeeds, a different file under an archived name is refused.
/// </summary>
public static class WalPush
{
    private const int BufferSize = 1 << 20;

    /// <summary>A temporary file this old belongs to a push that was killed, not to one still running.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    public static async Task<WalPushResult> PushAsync(
        WalArchive archive, string sourcePath, string walFileName, CompressionSettings compression, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var source = OpenSource(sourcePath, walFileName);
        var (name, header) = await IdentifyAsync(archive, source, sourcePath, walFileName, cancellationToken).ConfigureAwait(false);
        archive.EnsureInfo(header is null ? archive.SegmentSize : (int)header.SegmentSize, header?.MajorVersion, time);

        var folder = Path.Combine(archive.Directory, name.DirectoryKey);
        var newFolder = !Directory.Exists(folder);
        SecureFileSystem.CreatePrivateDirectory(folder);
        if (newFolder)
        {
            SecureFileSystem.SyncDirectory(archive.Directory);
        }

        // A re-push (PostgreSQL retries after a crash) is settled by the tag alone, without compressing or writing.
        // Not a .partial copy: the stream pushes one only when it has grown, so it is new and would be hashed twice.
        if (name.Kind != WalFileKind.Partial && archive.FindAll(name) is { Count: > 0 } archived)
        {
            var sourceTag = await TagAsync(archive, source, cancellationToken).ConfigureAwait(false);
            return Settle(archive, name, archived, sourceTag) ?? throw new UnreachableException("A stored copy of a complete WAL file either matches or conflicts.");
        }

        var temp = Path.Combine(folder, WalArchive.TemporaryPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            var tag = await WriteAsync(archive, source, temp, name, compression, cancellationToken).ConfigureAwait(false);
            // Checked again: another push of the same name may have finished meanwhile.
            if (Settle(archive, name, archive.FindAll(name), tag) is { } settled)
            {
                return settled;
            }

            var final = Path.Combine(folder, WalStoredFile.FileNameFor(name, tag, compression, archive.DataKey is not null));
            File.Move(temp, final, overwrite: false);
            SecureFileSystem.SyncDirectory(folder);
            RemoveSuperseded(archive, name, final);
            RemoveAbandoned(folder, time);
            return WalPushResult.Stored;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// AlreadyArchived when an identical copy is stored; a conflict when a different one is (except for a streamed
    /// partial segment, which grows: each newer copy replaces the older ones); null when this one must be stored.
    /// </summary>
    private static WalPushResult? Settle(WalArchive archive, WalFileName name, IReadOnlyList<WalStoredFile> existing, string tag)
    {
        if (existing.Any(e => e.Tag == tag))
        {
            return WalPushResult.AlreadyArchived;
        }

        if (existing.Count > 0 && name.Kind != WalFileKind.Partial)
        {
            throw new PgBackupException(
                "WalFileConflict",
                ErrorKind.ResourceExists,
                $"The {WalArchive.Describe(name)} is already archived with different content. PostgreSQL never writes two versions of one file, so another cluster with the same system identifier, or a restored copy of this one, is archiving here. Give each cluster its own repository and check archive_command on every server.")
            { Target = archive.RelativePath(existing[0]) };
        }

        return null;
    }

    private static async Task<string> TagAsync(WalArchive archive, FileStream source, CancellationToken cancellationToken)
    {
        using var tagHash = archive.NewTagHash();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                tagHash.AppendData(buffer, 0, read);
            }

            return WalArchive.TagOf(tagHash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Once a newer partial copy or the complete segment is durable, older partial copies of that segment hold
    /// nothing more and go (a partial of an old timeline archived at promotion has no complete twin and stays).
    /// </summary>
    private static void RemoveSuperseded(WalArchive archive, WalFileName stored, string keep)
    {
        if (stored.Kind is not (WalFileKind.Partial or WalFileKind.Segment))
        {
            return;
        }

        var partial = WalFileName.Parse(stored.SegmentName + ".partial", archive.SegmentSize);
        foreach (var old in archive.FindAll(partial).Where(f => f.Path != keep))
        {
            File.Delete(old.Path);
        }
    }

    private static void RemoveAbandoned(string folder, TimeProvider time)
    {
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles(WalArchive.TemporaryPrefix + "*"))
        {
            if (time.GetUtcNow() - file.LastWriteTimeUtc > AbandonedAfter)
            {
                file.Delete();
            }
        }
    }

    private static FileStream OpenSource(string sourcePath, string walFileName)
    {
        try
        {
            return new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PgBackupException(
                "WalFileNotFound",
                ErrorKind.ObjectNotFound,
                $"'{sourcePath}' does not exist, so {walFileName} cannot be archived. archive_command must be given %p (the path) and %f (the file name), and run in the data directory.",
                ex) { Target = sourcePath };
        }
    }

    private static async Task<(WalFileName Name, WalPageHeader? Header)> IdentifyAsync(
        WalArchive archive, FileStream source, string sourcePath, string walFileName, CancellationToken cancellationToken)
    {
        var segmentSize = archive.SegmentSize;
        WalPageHeader? header = null;
        var hasSegmentName = walFileName.Length >= WalFileName.SegmentNameLength && !walFileName.EndsWith(".history", StringComparison.Ordinal)
            && !walFileName.EndsWith(".backup", StringComparison.Ordinal);
        if (hasSegmentName)
        {
            var bytes = new byte[WalPageHeader.Length];
            var read = await source.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read < bytes.Length)
            {
                throw Invalid(sourcePath, walFileName, $"it is only {source.Length} bytes long");
            }

            header = WalPageHeader.Read(bytes);
            if (WalFileName.IsValidSegmentSize(header.SegmentSize))
            {
                segmentSize = (int)header.SegmentSize;
            }

            source.Position = 0;
        }

        if (!WalFileName.TryParse(walFileName, segmentSize, out var name))
        {
            throw new PgBackupException(
                "WalFileNameInvalid",
                ErrorKind.InvalidArgument,
                $"'{walFileName}' is not a WAL file name PostgreSQL archives. archive_command must pass %p and then %f.")
            { Target = walFileName };
        }

        if (header is not null && header.Check(name, source.Length, archive.SystemIdentifier) is { } problem)
        {
            throw Invalid(sourcePath, walFileName, problem);
        }

        return (name, header);
    }

    private static async Task<string> WriteAsync(
        WalArchive archive, FileStream source, string temp, WalFileName name, CompressionSettings compression, CancellationToken cancellationToken)
    {
        using var tagHash = archive.NewTagHash();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file = SecureFileSystem.CreateNewPrivateFile(temp, bufferSize: 0);
            var encryptor = archive.DataKey is { } key ? new AeadChunkWriteStream(file, key, archive.BoundName(name), archive.ChunkSize, leaveOpen: true) : null;
            var compressor = Compressors.Compress(encryptor ?? (Stream)file, compression, Compressors.WalZstdWorkers(Environment.ProcessorCount));
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    tagHash.AppendData(buffer, 0, read);
                    await compressor.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                await DisposeQuietlyAsync(compressor).ConfigureAwait(false);
                throw;
            }

            await compressor.DisposeAsync().ConfigureAwait(false);
            if (encryptor is not null)
            {
                await encryptor.DisposeAsync().ConfigureAwait(false);
            }

            file.Flush(flushToDisk: true);
            return WalArchive.TagOf(tagHash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task DisposeQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already failing; the temporary file is deleted by the caller.
        }
    }

    private static PgBackupException Invalid(string sourcePath, string walFileName, string reason) => new(
        "WalFileInvalid",
        ErrorKind.InvalidData,
        $"'{sourcePath}' cannot be archived as {walFileName}: {reason}. Nothing was stored; check that archive_command passes %p and %f in that order.")
    { Target = sourcePath };
}
