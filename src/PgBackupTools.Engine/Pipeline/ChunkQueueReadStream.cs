using System.Collections.Concurrent;

namespace PgBackupTools.Engine.Pipeline;

/// <summary>
/// Reads, as one stream, the chunks another thread puts into a bounded queue (the queue's bound holds the producer
/// back when the reader is slower). Ends when the producer completes the queue.
/// </summary>
public sealed class ChunkQueueReadStream(BlockingCollection<byte[]> chunks, CancellationToken cancellationToken) : ReadOnlyStream
{
    private byte[] _current = [];
    private int _offset;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_offset == _current.Length)
        {
            if (!chunks.TryTake(out var next, Timeout.Infinite, cancellationToken))
            {
                return 0;
            }

            _current = next;
            _offset = 0;
        }

        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsSpan(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }

}
