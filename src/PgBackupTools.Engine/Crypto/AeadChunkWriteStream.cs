using System.Security.Cryptography;

namespace PgBackupTools.Engine.Crypto;

/// <summary>
/// Encrypts everything written to it into the chunked AES-256-GCM file format (docs/repository-format.md):
/// a 32-byte header, then one sealed chunk per <c>chunkSize</c> plaintext bytes, then a final chunk that is
/// written on dispose. If a write fails or is cancelled, dispose does not write the final chunk, so the
/// incomplete file can never pass as complete.
/// </summary>
public sealed class AeadChunkWriteStream : Stream
{
    public const int DefaultChunkSize = EncryptedFileHeader.DefaultChunkSize;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly int _chunkSize;
    private readonly AesGcm _aes;
    private readonly byte[] _header = new byte[EncryptedFileHeader.Size];
    private readonly byte[] _plaintext;
    private readonly byte[] _sealed;
    private int _buffered;
    private ulong _chunkIndex;
    private bool _headerWritten;
    private bool _faulted;
    private bool _disposed;

    public AeadChunkWriteStream(Stream inner, DataKey key, string fileName, int chunkSize = DefaultChunkSize, bool leaveOpen = false)
        : this(inner, key, fileName, chunkSize, leaveOpen, RandomNumberGenerator.GetBytes(CryptoSizes.Salt))
    {
    }

    /// <summary>Fixed-salt variant for test vectors only: a salt must never repeat for the same data key and file name.</summary>
    internal AeadChunkWriteStream(Stream inner, DataKey key, string fileName, int chunkSize, bool leaveOpen, ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fileName);
        if (!EncryptedFileHeader.IsValidChunkSize(chunkSize))
        {
            throw new ArgumentOutOfRangeException(
                nameof(chunkSize),
                chunkSize,
                $"The chunk size must be {EncryptedFileHeader.MinimumChunkSize}..{EncryptedFileHeader.MaximumChunkSize} bytes.");
        }

        if (!inner.CanWrite)
        {
            throw new ArgumentException("The inner stream is not writable.", nameof(inner));
        }

        _inner = inner;
        _leaveOpen = leaveOpen;
        _chunkSize = chunkSize;
        EncryptedFileHeader.Write(_header, chunkSize, salt);

        Span<byte> fileKey = stackalloc byte[CryptoSizes.Key];
        try
        {
            key.DeriveFileKey(salt, fileName, fileKey);
            _aes = new AesGcm(fileKey, CryptoSizes.Tag);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }

        _plaintext = new byte[chunkSize];
        _sealed = new byte[chunkSize + CryptoSizes.Tag];
    }

    /// <summary>Plaintext bytes accepted so far.</summary>
    public long PlaintextBytes { get; private set; }

    /// <summary>Bytes written to the inner stream so far (header, chunks and tags).</summary>
    public long CiphertextBytes { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed && !_faulted;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfUnusable();
        try
        {
            if (!_headerWritten)
            {
                _inner.Write(_header);
                MarkHeaderWritten();
            }

            while (!buffer.IsEmpty)
            {
                var consumed = Accept(buffer, out var sealedLength);
                buffer = buffer[consumed..];
                if (sealedLength > 0)
                {
                    _inner.Write(_sealed, 0, sealedLength);
                    CiphertextBytes += sealedLength;
                }
            }
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        try
        {
            if (!_headerWritten)
            {
                await _inner.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
                MarkHeaderWritten();
            }

            while (!buffer.IsEmpty)
            {
                var consumed = Accept(buffer.Span, out var sealedLength);
                buffer = buffer[consumed..];
                if (sealedLength > 0)
                {
                    await _inner.WriteAsync(_sealed.AsMemory(0, sealedLength), cancellationToken).ConfigureAwait(false);
                    CiphertextBytes += sealedLength;
                }
            }
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>Flushes the inner stream. A partial chunk stays buffered: the format has no partial chunks.</summary>
    public override void Flush()
    {
        ThrowIfUnusable();
        _inner.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        return _inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (disposing && !_faulted)
            {
                var sealedLength = SealFinalChunk();
                if (!_headerWritten)
                {
                    _inner.Write(_header);
                    MarkHeaderWritten();
                }

                _inner.Write(_sealed, 0, sealedLength);
                CiphertextBytes += sealedLength;
                _inner.Flush();
            }
        }
        finally
        {
            ReleaseBuffers();
            if (disposing && !_leaveOpen)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_faulted)
            {
                var sealedLength = SealFinalChunk();
                if (!_headerWritten)
                {
                    await _inner.WriteAsync(_header).ConfigureAwait(false);
                    MarkHeaderWritten();
                }

                await _inner.WriteAsync(_sealed.AsMemory(0, sealedLength)).ConfigureAwait(false);
                CiphertextBytes += sealedLength;
                await _inner.FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            ReleaseBuffers();
            if (!_leaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }

            GC.SuppressFinalize(this);
        }
    }

    /// <summary>
    /// Takes bytes from <paramref name="input"/>; when that completes a chunk, seals it into <c>_sealed</c>
    /// and reports its length so the caller writes it. Full chunks are sealed straight from the input.
    /// </summary>
    private int Accept(ReadOnlySpan<byte> input, out int sealedLength)
    {
        sealedLength = 0;
        if (_buffered == 0 && input.Length >= _chunkSize)
        {
            sealedLength = Seal(input[.._chunkSize], isFinal: false);
            PlaintextBytes += _chunkSize;
            return _chunkSize;
        }

        var take = Math.Min(_chunkSize - _buffered, input.Length);
        input[..take].CopyTo(_plaintext.AsSpan(_buffered));
        _buffered += take;
        PlaintextBytes += take;

        // A full buffer is sealed as non-final at once: if the stream ends here, the final chunk is empty.
        if (_buffered == _chunkSize)
        {
            sealedLength = Seal(_plaintext, isFinal: false);
            _buffered = 0;
        }

        return take;
    }

    private int SealFinalChunk() => Seal(_plaintext.AsSpan(0, _buffered), isFinal: true);

    private int Seal(ReadOnlySpan<byte> plaintext, bool isFinal)
    {
        Span<byte> nonce = stackalloc byte[CryptoSizes.Nonce];
        ChunkNonce.Write(nonce, _chunkIndex, isFinal);
        _aes.Encrypt(
            nonce,
            plaintext,
            _sealed.AsSpan(0, plaintext.Length),
            _sealed.AsSpan(plaintext.Length, CryptoSizes.Tag),
            _header);
        _chunkIndex++;
        return plaintext.Length + CryptoSizes.Tag;
    }

    private void MarkHeaderWritten()
    {
        _headerWritten = true;
        CiphertextBytes += EncryptedFileHeader.Size;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_faulted)
        {
            throw new InvalidOperationException(
                "An earlier write to this encrypted stream failed; the file is incomplete and will not be finished.");
        }
    }

    private void ReleaseBuffers()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_plaintext);
    }
}
