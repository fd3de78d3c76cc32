namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Remembers the last bytes of one table's COPY text so that, once the block ends, the end-of-data marker can be
/// told apart from rows. pg_dump (at least through 17) appends "\.\n\n\n" to every table's data: the "\." line and
/// the two empty lines after it are not rows, though an empty line before it is (a one-column row holding '').
/// A data row can never be the line "\." because COPY writes a backslash in a value as "\\".
/// </summary>
internal sealed class CustomArchiveScannerCopyTail
{
    public const int Capacity = 32;

    private readonly byte[] _tail = new byte[Capacity];
    private int _length;
    private long _totalBytes;

    public void Reset()
    {
        _length = 0;
        _totalBytes = 0;
    }

    /// <summary>
    /// Accounts for bytes that were not shown to the tail. Only valid when at least <see cref="Capacity"/> bytes are
    /// appended next, since what the tail held before is forgotten.
    /// </summary>
    public void Skip(long bytes)
    {
        _totalBytes += bytes;
        _length = 0;
    }

    public void Append(ReadOnlySpan<byte> piece)
    {
        _totalBytes += piece.Length;
        if (piece.Length >= Capacity)
        {
            piece[^Capacity..].CopyTo(_tail);
            _length = Capacity;
            return;
        }

        var keep = Math.Min(_length, Capacity - piece.Length);
        _tail.AsSpan(_length - keep, keep).CopyTo(_tail);
        piece.CopyTo(_tail.AsSpan(keep));
        _length = keep + piece.Length;
    }

    /// <summary>True when the text is empty or its last row is complete.</summary>
    public bool EndsWithNewline => _length == 0 || _tail[_length - 1] == (byte)'\n';

    /// <summary>How many of the text's newlines belong to the end-of-data marker rather than to rows.</summary>
    public int TerminatorNewlines()
    {
        var tail = _tail.AsSpan(0, _length);
        var marker = tail.TrimEnd((byte)'\n');
        var newlines = tail.Length - marker.Length;
        if (newlines == 0 || !marker.EndsWith("\\."u8))
            return 0;

        var beforeMarker = marker[..^2];
        var markerStartsLine = beforeMarker.IsEmpty
            ? _totalBytes == _length
            : beforeMarker[^1] == (byte)'\n';
        return markerStartsLine ? newlines : 0;
    }
}
