namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Decodes the archive's primitive fields (byte, int, offset, string; see ReadInt/ReadStr/ReadOffset in
/// pg_backup_archiver.c) from consecutive pieces of a stream. Only one field is ever in flight: a Try method that
/// runs out of input keeps the partial field, consumes all of the input and returns false; the caller then calls
/// the same method again with the next piece.
/// </summary>
internal sealed class CustomArchiveScannerFieldReader
{
    /// <summary>Kept strings are names and short statements; anything longer means the length is corrupt.</summary>
    internal const int MaxKeptStringBytes = 1 << 20;

    private const int MaxFixedFieldBytes = 32;

    private readonly byte[] _partial = new byte[MaxFixedFieldBytes];
    private int _partialLength;

    private bool _stringLengthKnown;
    private long _stringRemaining;
    private int _stringLength;
    private byte[] _kept = new byte[256];
    private int _keptLength;

    /// <summary>Bytes in an int's magnitude; the sign byte comes first. Set from the header.</summary>
    public int IntSize { get; set; } = 4;

    /// <summary>Bytes in an offset after its flag byte. Set from the header.</summary>
    public int OffsetSize { get; set; } = 8;

    /// <summary>True while a field has been started but not finished, i.e. the stream stopped inside it.</summary>
    public bool InField => _partialLength > 0 || _stringLengthKnown;

    public bool TryReadByte(ref ReadOnlySpan<byte> input, out byte value)
    {
        if (input.IsEmpty)
        {
            value = 0;
            return false;
        }

        value = input[0];
        input = input[1..];
        return true;
    }

    /// <summary>Reads a fixed number of raw bytes (at most 32); the result is valid until the next call.</summary>
    public bool TryReadFixed(ref ReadOnlySpan<byte> input, int count, out ReadOnlySpan<byte> value) =>
        TryTakeFixed(ref input, count, out value);

    /// <summary>A sign byte (non-zero means negative) followed by IntSize bytes of magnitude, least significant first.</summary>
    public bool TryReadInt(ref ReadOnlySpan<byte> input, out long value)
    {
        if (!TryTakeFixed(ref input, 1 + IntSize, out var field))
        {
            value = 0;
            return false;
        }

        ulong magnitude = 0;
        for (var i = IntSize; i >= 1; i--)
            magnitude = (magnitude << 8) | field[i];
        if (magnitude > int.MaxValue + 1UL)
            throw CustomArchiveScannerErrors.Malformed($"an integer field holds {magnitude}, beyond what pg_dump writes");
        value = field[0] == 0 ? (long)magnitude : -(long)magnitude;
        return true;
    }

    /// <summary>A flag byte (K_OFFSET_*) followed by OffsetSize bytes of position; only the flag matters here.</summary>
    public bool TryReadOffsetFlag(ref ReadOnlySpan<byte> input, out byte flag)
    {
        if (!TryTakeFixed(ref input, 1 + OffsetSize, out var field))
        {
            flag = 0;
            return false;
        }

        flag = field[0];
        return true;
    }

    /// <summary>
    /// An int length (negative means NULL) followed by that many bytes. With <paramref name="keep"/> false the bytes
    /// are skipped without being copied and <paramref name="bytes"/> is empty; either way <paramref name="length"/>
    /// is the string's length, or -1 for NULL. Kept bytes are valid until the next call.
    /// </summary>
    public bool TryReadString(ref ReadOnlySpan<byte> input, bool keep, out int length, out ReadOnlySpan<byte> bytes)
    {
        length = 0;
        bytes = default;

        if (!_stringLengthKnown)
        {
            if (!TryReadInt(ref input, out var declared))
                return false;
            if (declared < 0)
            {
                length = -1;
                return true;
            }

            if (keep && declared > MaxKeptStringBytes)
                throw CustomArchiveScannerErrors.Malformed($"a TOC name field claims to be {declared} bytes long");

            // Fast path: the whole string is already here, so nothing needs to be copied.
            if (input.Length >= declared)
            {
                length = (int)declared;
                bytes = keep ? input[..length] : default;
                input = input[length..];
                return true;
            }

            _stringLengthKnown = true;
            _stringLength = (int)declared;
            _stringRemaining = declared;
            _keptLength = 0;
            if (keep && _kept.Length < declared)
                _kept = new byte[Math.Max((int)declared, _kept.Length * 2)];
        }

        var take = (int)Math.Min(_stringRemaining, input.Length);
        if (keep)
        {
            input[..take].CopyTo(_kept.AsSpan(_keptLength));
            _keptLength += take;
        }

        input = input[take..];
        _stringRemaining -= take;
        if (_stringRemaining > 0)
            return false;

        _stringLengthKnown = false;
        length = _stringLength;
        bytes = keep ? _kept.AsSpan(0, _keptLength) : default;
        return true;
    }

    private bool TryTakeFixed(ref ReadOnlySpan<byte> input, int count, out ReadOnlySpan<byte> field)
    {
        if (_partialLength == 0 && input.Length >= count)
        {
            field = input[..count];
            input = input[count..];
            return true;
        }

        var take = Math.Min(count - _partialLength, input.Length);
        input[..take].CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += take;
        input = input[take..];
        if (_partialLength < count)
        {
            field = default;
            return false;
        }

        _partialLength = 0;
        field = _partial.AsSpan(0, count);
        return true;
    }
}
