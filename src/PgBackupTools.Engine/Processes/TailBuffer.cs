using System.Text;

namespace PgBackupTools.Engine.Processes;

/// <summary>Keeps only the last <c>capacity</c> bytes written to it; thread-safe.</summary>
internal sealed class TailBuffer
{
    private readonly byte[] _buffer;
    private readonly object _gate = new();
    private long _written;

    public TailBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _buffer = new byte[capacity];
    }

    public long TotalBytesWritten
    {
        get { lock (_gate) return _written; }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            var total = data.Length;
            if (data.Length > _buffer.Length)
                data = data[^_buffer.Length..];
            var start = (int)((_written + total - data.Length) % _buffer.Length);
            var first = Math.Min(data.Length, _buffer.Length - start);
            data[..first].CopyTo(_buffer.AsSpan(start));
            data[first..].CopyTo(_buffer);
            _written += total;
        }
    }

    public byte[] ToArray()
    {
        lock (_gate)
        {
            if (_written <= _buffer.Length)
                return _buffer.AsSpan(0, (int)_written).ToArray();
            var start = (int)(_written % _buffer.Length);
            var result = new byte[_buffer.Length];
            _buffer.AsSpan(start).CopyTo(result);
            _buffer.AsSpan(0, start).CopyTo(result.AsSpan(_buffer.Length - start));
            return result;
        }
    }

    /// <summary>The kept bytes as UTF-8 text; a character cut in half at the start shows as U+FFFD.</summary>
    public override string ToString() => Encoding.UTF8.GetString(ToArray());
}
