using System.Buffers;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// restore_command's half: decrypts, decompresses and checks one archived file into the path PostgreSQL
/// asked for. The file appears there only after every check passed (authentication to the last chunk, the
/// content tag, the page header against the name), so recovery never replays a damaged segment.
/// </summary>
public static class WalFetch
{
    private const int BufferSize = 1 << 20;

    public static async Task<WalFetchResult> FetchAsync(WalArchive archive, string walFileName, string destinationPath, CancellationToken cancellationToken)
    {
        if (!WalFileName.TryParse(walFileName, archive.SegmentSize, out var name))
        {
            throw new PgBackupException(
                "WalFileNameInvalid",
                ErrorKind.InvalidArgument,
                $"'{walFileName}' is not a WAL file name PostgreSQL restores. restore_command must pass %f and then %p.")
            { Target = walFileName };
        }

        if (archive.Info is null)
        {
            return WalFetchResult.NotFound;
        }

        var copies = archive.FindAll(name);
        if (copies.Count == 0 && name.Kind == WalFileKind.Segment)
        {
            if (archive.HasLaterSegment(name))
            {
                return WalFetchResult.Gap;
            }

            // The newest segment of a stream may only exist as a partial copy: it ends the archive, so recovery
            // replays what it holds (the unwritten rest reads as the end of WAL) and then finishes there.
            copies = archive.FindAll(WalFileName.Parse(name.Name + ".partial", archive.SegmentSize)).OrderByDescending(c => c.StoredAt).Take(1).ToList();
        }

        if (copies.Count == 0)
        {
            return WalFetchResult.NotFound;
        }

        var stored = copies.OrderBy(c => c.StoredAt).First();
        var relative = archive.RelativePath(stored);
        if (stored.Encrypted != (archive.DataKey is not null))
        {
            throw new IntegrityException(
                IntegrityFailure.BadHeader,
                relative,
                $"The {WalArchive.Describe(name)} ('{relative}') is stored {(stored.Encrypted ? "encrypted" : "unencrypted")} in a repository that is {(stored.Encrypted ? "not" : "")} encrypted; it was not written by this repository.");
        }

        var destination = Path.GetFullPath(destinationPath);
        var temp = Path.Combine(Path.GetDirectoryName(destination)!, ".pgbt-" + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await CopyVerifiedAsync(archive, stored, relative, temp, cancellationToken).ConfigureAwait(false);
            File.Move(temp, destination, overwrite: true);
            return WalFetchResult.Restored;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task CopyVerifiedAsync(WalArchive archive, WalStoredFile stored, string relative, string temp, CancellationToken cancellationToken)
    {
        using var tagHash = archive.NewTagHash();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var header = new byte[WalPageHeader.Length];
        long length = 0;
        try
        {
            await using var input = new FileStream(stored.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            await using var decryptor = archive.DataKey is { } key ? new AeadChunkReadStream(input, key, archive.BoundName(stored.Name), leaveOpen: true) : null;
            Stream plainSource = decryptor ?? (Stream)input;
            await using var decompressor = Compressors.Decompress(plainSource, stored.Compression);
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                int read;
                while ((read = await Guard(() => decompressor.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken), stored, relative).ConfigureAwait(false)) > 0)
                {
                    if (length < header.Length)
                    {
                        buffer.AsSpan(0, (int)Math.Min(read, header.Length - length)).CopyTo(header.AsSpan((int)length));
                    }

                    tagHash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    length += read;
                }

                // The decompressor stops at the end of its frame: drain the rest so the last chunk is authenticated.
                if (await Guard(() => plainSource.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken), stored, relative).ConfigureAwait(false) > 0)
                {
                    throw Corrupt(stored, relative, "it has data after the end of its compressed content", IntegrityFailure.TrailingData);
                }
            }

            if (WalArchive.TagOf(tagHash) != stored.Tag)
            {
                throw Corrupt(stored, relative, "its content does not match the tag it was stored with", IntegrityFailure.ChecksumMismatch);
            }

            if (stored.Name.Kind is WalFileKind.Segment or WalFileKind.Partial)
            {
                var problem = length < header.Length
                    ? $"it is only {length} bytes long"
                    : WalPageHeader.Read(header).Check(stored.Name, length, archive.SystemIdentifier);
                if (problem is not null)
                {
                    throw Corrupt(stored, relative, problem, IntegrityFailure.BadHeader);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<int> Guard(Func<ValueTask<int>> read, WalStoredFile stored, string relative)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (IntegrityException ex)
        {
            throw new IntegrityException(ex.Failure, relative, $"The {WalArchive.Describe(stored.Name)} failed verification: {ex.Message}", ex.ChunkIndex, ex);
        }
        catch (Exception ex) when (ex is not PgBackupException and not OperationCanceledException)
        {
            throw Corrupt(stored, relative, $"it could not be decompressed ({ex.Message})", IntegrityFailure.ChecksumMismatch, ex);
        }
    }

    private static IntegrityException Corrupt(WalStoredFile stored, string relative, string reason, IntegrityFailure failure, Exception? inner = null) => new(
        failure,
        relative,
        $"The {WalArchive.Describe(stored.Name)} in the repository ('{relative}') is corrupt: {reason}. Recovery cannot go past it; restore the file from a copy of the repository, or recover to a point before it.",
        inner: inner);
}
