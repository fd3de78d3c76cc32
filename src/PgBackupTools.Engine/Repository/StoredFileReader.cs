using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// Reads a stored file back as plaintext: disk → SHA-256 → authenticate and decrypt → decompress.
/// The end of the stream is reported only after every check passed: the last chunk authenticated, nothing
/// trails it, and the SHA-256 and size equal the manifest's.
/// </summary>
public sealed class StoredFileReader : ReadOnlyStream
{
    private readonly FileStream _file;
    private readonly HashingStream _hasher;
    private readonly Stream? _decryptor;
    private readonly Stream _decompressor;
    private readonly ManifestFile _entry;
    private readonly string _relativePath;
    private bool _verified;

    private StoredFileReader(FileStream file, ManifestFile entry, DataKey? dataKey, string relativePath, bool decompress)
    {
        _file = file;
        _entry = entry;
        _relativePath = relativePath;
        _hasher = new HashingStream(file, leaveOpen: true);
        _decryptor = dataKey is null ? null : new AeadChunkReadStream(_hasher, dataKey, entry.Name, leaveOpen: true);
        _decompressor = decompress
            ? Compressors.Decompress(_decryptor ?? _hasher, CompressionSettings.ParseName(entry.Compression))
            : new NonClosingStream(_decryptor ?? _hasher);
    }

    /// <summary>
    /// Opens a stored file. With <paramref name="decompress"/> false it yields the authenticated compressed bytes:
    /// enough to verify a file (every chunk, the size, the SHA-256) without the cost of decompressing it.
    /// </summary>
    public static StoredFileReader Open(string backupDirectory, ManifestFile entry, DataKey? dataKey, string backupId, bool decompress = true)
    {
        var relative = $"backups/{backupId}/{entry.Name}";
        var path = Path.Combine(backupDirectory, entry.Name);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (FileNotFoundException ex)
        {
            throw new IntegrityException(IntegrityFailure.MissingFile, relative, $"The backup file '{relative}' is missing from the repository.", inner: ex);
        }

        if (file.Length != entry.SizeBytes)
        {
            var length = file.Length;
            file.Dispose();
            throw new IntegrityException(
                IntegrityFailure.SizeMismatch,
                relative,
                $"The backup file '{relative}' has {length} bytes but the manifest recorded {entry.SizeBytes}: it was truncated, extended or replaced.");
        }

        return new StoredFileReader(file, entry, dataKey, relative, decompress);
    }

    /// <summary>Reads the whole file (for small files such as the catalog).</summary>
    public static async Task<byte[]> ReadAllAsync(string backupDirectory, ManifestFile entry, DataKey? dataKey, string backupId, CancellationToken cancellationToken)
    {
        await using var reader = Open(backupDirectory, entry, dataKey, backupId);
        using var memory = new MemoryStream();
        await reader.CopyToAsync(memory, cancellationToken).ConfigureAwait(false);
        return memory.ToArray();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _decompressor.Read(buffer);
        }
        catch (Exception ex) when (ex is not PgBackupException and not OperationCanceledException)
        {
            throw Corrupt(ex);
        }

        if (read == 0 && buffer.Length > 0)
        {
            VerifyEnd();
        }

        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _decompressor.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not PgBackupException and not OperationCanceledException)
        {
            throw Corrupt(ex);
        }

        if (read == 0 && buffer.Length > 0)
        {
            VerifyEnd();
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decompressor.Dispose();
            _decryptor?.Dispose();
            _hasher.Dispose();
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    private void VerifyEnd()
    {
        if (_verified)
        {
            return;
        }

        // The decompressor may stop at the end of its frame; drain what is left so the decryptor checks the
        // final chunk and trailing bytes, and the hash covers every stored byte.
        var scratch = new byte[81920];
        var upstream = _decryptor ?? _hasher;
        long extra = 0;
        int n;
        while ((n = Translate(() => upstream.Read(scratch))) > 0)
        {
            extra += n;
        }

        if (extra > 0)
        {
            throw new IntegrityException(
                IntegrityFailure.TrailingData,
                _relativePath,
                $"The backup file '{_relativePath}' has {extra} bytes after the end of its compressed data.");
        }

        var hash = _hasher.FinishHex();
        if (!string.Equals(hash, _entry.Sha256, StringComparison.OrdinalIgnoreCase) || _hasher.BytesProcessed != _entry.SizeBytes)
        {
            throw new IntegrityException(
                IntegrityFailure.ChecksumMismatch,
                _relativePath,
                $"The SHA-256 of '{_relativePath}' is {hash}, but the manifest recorded {_entry.Sha256}: the file was changed after the backup.");
        }

        _verified = true;
    }

    private int Translate(Func<int> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is not PgBackupException and not OperationCanceledException)
        {
            throw Corrupt(ex);
        }
    }

    private IntegrityException Corrupt(Exception ex) => new(
        IntegrityFailure.ChecksumMismatch,
        _relativePath,
        $"The backup file '{_relativePath}' could not be decompressed ({ex.Message}); it is corrupt.",
        inner: ex);
}
