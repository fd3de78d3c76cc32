using System.Security.Cryptography;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Crypto;

/// <summary>
/// Decrypts the chunked AES-256-GCM file format written by <see cref="AeadChunkWriteStream"/>. Plaintext of a
/// chunk is returned only after its tag verified; the end of the plaintext (Read returning 0) is reported only
/// after the final chunk verified and nothing follows it. Every failure is an <see cref="IntegrityException"/>.
/// </summary>
public sealed class AeadChunkReadStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly string _fileName;
    private readonly byte[] _dataKey;
    private readonly byte[] _header = new byte[EncryptedFileHeader.Size];
    private AesGcm? _aes;
    private int _chunkSize;
    private byte[] _record = [];
    private int _recordFill;
    private byte[] _plaintext = [];
    private int _plainOffset;
    private int _plainCount;
    private ulong _chunkIndex;
    private bool _finished;
    private bool _disposed;

    public AeadChunkReadStream(Stream inner, DataKey key, string fileName, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fileName);
        if (!inner.CanRead)
        {
            throw new ArgumentException("The inner stream is not readable.", nameof(inner));
        }

        _inner = inner;
        _leaveOpen = leaveOpen;
        _fileName = fileName;

        // Copied so the caller may dispose the DataKey before the first read; wiped once the file key exists.
        _dataKey = key.Bytes.ToArray();
    }

    /// <summary>A sealed chunk on disk: ciphertext of a full chunk plus its tag.</summary>
    private int RecordSize => _chunkSize + CryptoSizes.Tag;

    public override bool CanRead => !_disposed;

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_plainCount == 0 && !_finished)
        {
            if (_aes is null)
            {
                var read = ReadFully(_inner, _header, 0, _header.Length);
                OpenHeader(read);
            }
            else
            {
                _recordFill += ReadFully(_inner, _record, _recordFill, _record.Length - _recordFill);
                OpenNextChunk();
            }
        }

        return CopyPlaintext(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_plainCount == 0 && !_finished)
        {
            if (_aes is null)
            {
                var read = await ReadFullyAsync(_inner, _header.AsMemory(), cancellationToken).ConfigureAwait(false);
                OpenHeader(read);
            }
            else
            {
                _recordFill += await ReadFullyAsync(_inner, _record.AsMemory(_recordFill), cancellationToken).ConfigureAwait(false);
                OpenNextChunk();
            }
        }

        return CopyPlaintext(buffer.Span);
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _disposed = true;
            Release();
            if (disposing && !_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            Release();
            if (!_leaveOpen)
            {
                await _inner.DisposeAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }

    private int CopyPlaintext(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _plainCount);
        _plaintext.AsSpan(_plainOffset, count).CopyTo(destination);
        _plainOffset += count;
        _plainCount -= count;
        return count;
    }

    private void OpenHeader(int bytesRead)
    {
        if (bytesRead < EncryptedFileHeader.Size)
        {
            throw new IntegrityException(
                IntegrityFailure.Truncated,
                _fileName,
                $"The encrypted file '{_fileName}' is truncated: it ends after {bytesRead} bytes, inside its {EncryptedFileHeader.Size}-byte header.",
                chunkIndex: null);
        }

        _chunkSize = EncryptedFileHeader.Parse(_header, _fileName);
        Span<byte> fileKey = stackalloc byte[CryptoSizes.Key];
        try
        {
            using var dataKey = new DataKey(_dataKey);
            dataKey.DeriveFileKey(EncryptedFileHeader.Salt(_header), _fileName, fileKey);
            _aes = new AesGcm(fileKey, CryptoSizes.Tag);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
            CryptographicOperations.ZeroMemory(_dataKey);
        }

        // One byte beyond a full record tells a non-final chunk (more follows) from a stream that ends here.
        _record = new byte[RecordSize + 1];
        _plaintext = new byte[_chunkSize];
    }

    /// <summary>
    /// Decides what the buffered bytes are. More than a record's worth means a full non-final chunk. Otherwise the
    /// inner stream is at its end and the buffered bytes must be exactly the final chunk (which is always shorter
    /// than a full record).
    /// </summary>
    private void OpenNextChunk()
    {
        var available = _recordFill;
        if (available == RecordSize + 1)
        {
            if (!TryOpen(_record.AsSpan(0, RecordSize), isFinal: false))
            {
                throw DescribeFailure(RecordSize);
            }

            _plainCount = _chunkSize;
            _record[0] = _record[RecordSize];
            _recordFill = 1;
            _chunkIndex++;
            return;
        }

        if (available < CryptoSizes.Tag)
        {
            throw Truncated(
                _chunkIndex,
                available == 0
                    ? $"it ends where chunk {_chunkIndex} should start, without a final chunk"
                    : $"it ends inside chunk {_chunkIndex}, {available} bytes into it");
        }

        if (available < RecordSize && TryOpen(_record.AsSpan(0, available), isFinal: true))
        {
            _plainCount = available - CryptoSizes.Tag;
            _recordFill = 0;
            _finished = true;
            return;
        }

        if (available == RecordSize && TryOpen(_record.AsSpan(0, RecordSize), isFinal: false))
        {
            throw Truncated(_chunkIndex + 1, $"it ends where chunk {_chunkIndex + 1} should start, without a final chunk");
        }

        throw DescribeFailure(available);
    }

    private bool TryOpen(ReadOnlySpan<byte> record, bool isFinal)
    {
        var plaintextLength = record.Length - CryptoSizes.Tag;
        Span<byte> nonce = stackalloc byte[CryptoSizes.Nonce];
        ChunkNonce.Write(nonce, _chunkIndex, isFinal);
        try
        {
            // On failure AesGcm clears the destination, so unauthenticated plaintext is never left behind.
            _aes!.Decrypt(nonce, record[..plaintextLength], record[plaintextLength..], _plaintext.AsSpan(0, plaintextLength), _header);
            _plainOffset = 0;
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>
    /// The chunk did not authenticate as it stands. If a shorter prefix of it is a valid final chunk, the rest is
    /// data appended after the end of the file; that search is bounded, so only modest amounts of trailing data are
    /// named as such. Anything else is reported as an authentication failure of this chunk.
    /// </summary>
    private IntegrityException DescribeFailure(int available)
    {
        var finalChunkLength = FindValidFinalChunkPrefix(Math.Min(available, RecordSize));
        if (finalChunkLength > 0)
        {
            return new IntegrityException(
                IntegrityFailure.TrailingData,
                _fileName,
                $"The encrypted file '{_fileName}' has data after its final chunk {_chunkIndex}: the file was appended to " +
                "or is damaged. Its content up to the final chunk authenticates.",
                (long)_chunkIndex);
        }

        return new IntegrityException(
            IntegrityFailure.ChunkAuthenticationFailed,
            _fileName,
            $"Chunk {_chunkIndex} of the encrypted file '{_fileName}' does not authenticate: the file is damaged or was " +
            "altered, ends inside this chunk, has chunks out of order or from another file, or was read with the wrong key.",
            (long)_chunkIndex);
    }

    private int FindValidFinalChunkPrefix(int available)
    {
        const long workBudget = 64L * 1024 * 1024;
        long work = 0;
        int longest = Math.Min(available - 1, RecordSize - 1), shortest = CryptoSizes.Tag;

        // Try both ends: a little appended data after a large final chunk, or any data after a small final chunk.
        while (shortest <= longest && work < workBudget)
        {
            if (TryOpen(_record.AsSpan(0, longest), isFinal: true))
            {
                return longest;
            }

            work += longest--;
            if (shortest <= longest && TryOpen(_record.AsSpan(0, shortest), isFinal: true))
            {
                return shortest;
            }

            work += shortest++;
        }

        return 0;
    }

    private IntegrityException Truncated(ulong missingChunk, string detail) => new(
        IntegrityFailure.Truncated,
        _fileName,
        $"The encrypted file '{_fileName}' is truncated: {detail}.",
        (long)missingChunk);

    private static int ReadFully(Stream stream, byte[] buffer, int offset, int count)
    {
        var total = 0;
        while (total < count)
        {
            var read = stream.Read(buffer, offset + total, count - total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static async ValueTask<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private void Release()
    {
        _aes?.Dispose();
        CryptographicOperations.ZeroMemory(_dataKey);
        CryptographicOperations.ZeroMemory(_plaintext);
    }
}
