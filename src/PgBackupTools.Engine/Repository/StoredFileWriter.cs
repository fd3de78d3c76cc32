using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// One file being written into a backup: plaintext in, then compress → encrypt → SHA-256 → disk.
/// <see cref="CompleteAsync"/> closes each stage in order, fsyncs, and returns the manifest entry.
/// <see cref="ForCompressedInput"/> takes data another program already compressed (a server-compressed base
/// backup): it is encrypted and hashed as it comes, and the caller tells its uncompressed size at the end.
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
    private readonly bool _inputIsCompressed;
    private bool _completed;

    public StoredFileWriter(string directory, string name, string role, CompressionSettings compression, DataKey? dataKey, int chunkSize)
        : this(directory, name, role, compression, dataKey, chunkSize, inputIsCompressed: false)
    {
    }

    private StoredFileWriter(string directory, string name, string role, CompressionSettings compression, DataKey? dataKey, int chunkSize, bool inputIsCompressed)
    {
        _name = name;
        _role = role;
        _compression = compression;
        _file = SecureFileSystem.CreateNewPrivateFile(Path.Combine(directory, name), bufferSize: 0);
        _hasher = new HashingStream(_file, leaveOpen: true);
        _encryptor = dataKey is null ? null : new AeadChunkWriteStream(_hasher, dataKey, name, chunkSize, leaveOpen: true);
        _inputIsCompressed = inputIsCompressed;
        _compressor = inputIsCompressed ? new NonClosingStream(_encryptor ?? _hasher) : Compressors.Compress(_encryptor ?? _hasher, compression);
        _counter = new CountingWriteStream(_compressor);
    }

    /// <summary>A writer whose input is already compressed with <paramref name="compression"/>'s algorithm.</summary>
    public static StoredFileWriter ForCompressedInput(string directory, string name, string role, CompressionSettings compression, DataKey? dataKey, int chunkSize) =>
        new(directory, name, role, compression, dataKey, chunkSize, inputIsCompressed: true);

    /// <summary>Where plaintext goes (compressed data, for a writer made by <see cref="ForCompressedInput"/>).</summary>
    public Stream Input => _counter;

    public long PlaintextBytes => _counter.BytesWritten;

    public long StoredBytes => _hasher.BytesProcessed;

    /// <param name="plainBytes">The uncompressed size of compressed input; required for, and only for, such a writer.</param>
    public async Task<ManifestFile> CompleteAsync(CancellationToken cancellationToken, long? plainBytes = null)
    {
        if (_inputIsCompressed != plainBytes.HasValue)
        {
            throw new ArgumentException(_inputIsCompressed ? "The uncompressed size of compressed input is required." : "Only compressed input has a separate uncompressed size.", nameof(plainBytes));
        }

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
            PlainBytes = plainBytes ?? _counter.BytesWritten,
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
