using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// One file being written into a backup: plaintext in, then compress → encrypt → SHA-256 → disk.
/// <see cref="CompleteAsync"/> closes each stage in order, fsyncs, and returns the manifest entry.
/// </summary>
public sealed class StoredFileWriter : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly HashingStream _hasher;
    private readonly Stream? _encryptor;
    private readonly Stream _compressor;
    private readonly CountingWriteStream _counter;
    private readonly string _name;
    private readonly string _role;
    private readonly CompressionSettings _compression;
    private bool _completed;

    public StoredFileWriter(string directory, string name, string role, CompressionSettings compression, DataKey? dataKey, int chunkSize)
    {
        _name = name;
        _role = role;
        _compression = compression;
        _file = SecureFileSystem.CreateNewPrivateFile(Path.Combine(directory, name), bufferSize: 0);
        _hasher = new HashingStream(_file, leaveOpen: true);
        _encryptor = dataKey is null ? null : new AeadChunkWriteStream(_hasher, dataKey, name, chunkSize, leaveOpen: true);
        _compressor = Compressors.Compress(_encryptor ?? _hasher, compression);
        _counter = new CountingWriteStream(_compressor);
    }

    /// <summary>Where plaintext goes.</summary>
    public Stream Input => _counter;

    public long PlaintextBytes => _counter.BytesWritten;

    public long StoredBytes => _hasher.BytesProcessed;

    public async Task<ManifestFile> CompleteAsync(CancellationToken cancellationToken)
    {
        await _compressor.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _compressor.DisposeAsync().ConfigureAwait(false);
        if (_encryptor is not null)
        {
            await _encryptor.DisposeAsync().ConfigureAwait(false);
        }

        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        _file.Flush(flushToDisk: true);
        _completed = true;
        var entry = new ManifestFile
        {
            Name = _name,
            Role = _role,
            Compression = _compression.Name,
            SizeBytes = _hasher.BytesProcessed,
            Sha256 = _hasher.FinishHex(),
            PlainBytes = _counter.BytesWritten,
        };
        await DisposeAsync().ConfigureAwait(false);
        return entry;
    }

    public static async Task<ManifestFile> WriteAllAsync(
        string directory, string name, string role, byte[] content, CompressionSettings compression, DataKey? dataKey, int chunkSize, CancellationToken cancellationToken)
    {
        var writer = new StoredFileWriter(directory, name, role, compression, dataKey, chunkSize);
        await using (writer.ConfigureAwait(false))
        {
            await writer.Input.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            return await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            // Abandoned mid-stream: the partial file is removed with its incomplete backup folder.
            try
            {
                await _compressor.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The pipeline is already broken; the folder is deleted by the caller.
            }
        }

        _hasher.Dispose();
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}
