using System.Buffers;
using System.Threading.Channels;

namespace PgBackupTools.Engine.Pipeline;

/// <summary>
/// Reads its source on a background task, up to <c>depth</c> buffers ahead of the consumer, so the producer
/// (pg_dump's pipe, or decryption and decompression) and the consumer (compression and encryption, or
/// pg_restore's pipe) run at the same time instead of taking turns. Memory stays bounded at depth × bufferSize.
/// An exception of the source surfaces on the consumer's next read.
/// </summary>
public sealed class ReadAheadStream : ReadOnlyStream
{
    private readonly Stream _source;
    private readonly Channel<Segment> _segments;
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;
    private Segment _current;
    private int _offset;
    private bool _completed;
    private bool _disposed;

    public ReadAheadStream(Stream source, int bufferSize, int depth, CancellationToken cancellationToken)
    {
        _source = source;
        _segments = Channel.CreateBounded<Segment>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _producer = Task.Run(() => ProduceAsync(bufferSize, _stop.Token));
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _completed)
        {
            return 0;
        }

        if (_current.Buffer is null || _offset == _current.Length)
        {
            Release();
            if (!await _segments.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await _producer.ConfigureAwait(false);
                _completed = true;
                return 0;
            }

            _segments.Reader.TryRead(out _current);
            _offset = 0;
        }

        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.Buffer.AsSpan(_offset, count).CopyTo(buffer.Span);
        _offset += count;
        return count;
    }

    public override async ValueTask DisposeAsync()
    {
        await CleanUpAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CleanUpAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private async ValueTask CleanUpAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _producer.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The consumer stopped early or already saw the failure; nothing more to report here.
        }

        Release();
        while (_segments.Reader.TryRead(out var segment))
        {
            ArrayPool<byte>.Shared.Return(segment.Buffer);
        }

        _stop.Dispose();
    }

    private void Release()
    {
        if (_current.Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_current.Buffer);
            _current = default;
        }
    }

    private async Task ProduceAsync(int bufferSize, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
                var filled = 0;
                int read;
                // Fill the buffer as far as the source allows: fewer, larger hand-overs cost less than pipe-sized ones.
                while (filled < bufferSize && (read = await _source.ReadAsync(buffer.AsMemory(filled, bufferSize - filled), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                    if (filled >= bufferSize / 4 && _segments.Reader.Count == 0)
                    {
                        break;
                    }
                }

                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                await _segments.Writer.WriteAsync(new Segment(buffer, filled), cancellationToken).ConfigureAwait(false);
            }

            _segments.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _segments.Writer.TryComplete(ex);
            throw;
        }
    }

    private record struct Segment(byte[] Buffer, int Length);
}
