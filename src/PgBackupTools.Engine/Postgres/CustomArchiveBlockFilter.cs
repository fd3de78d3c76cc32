using System.Buffers.Binary;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Passes a custom-format archive (-Fc -Z0) through with its header and table of contents whole but only the data
/// blocks of the wanted dump ids. A pg_restore -L reading a pipe must otherwise read past every other block's data
/// to find its own; with this it finds each block it asks for next in the stream, provided its list is in archive
/// order (which a pipe needs anyway). A block it asks for but does not get ends its input early, and pg_restore fails
/// ("could not find block ID"): a wrong filter is loud, never a silently smaller restore.
/// Feed it every byte in order, in pieces of any size; not thread-safe.
/// </summary>
internal sealed class CustomArchiveBlockFilter
{
    private const byte BlockData = 1;   // BLK_DATA
    private const byte BlockBlobs = 3;  // BLK_BLOBS

    private readonly IReadOnlySet<int> _wanted;
    private readonly CustomArchiveScannerFieldReader _fields = new();
    private readonly CustomArchiveScannerHeaderReader _header;
    private CustomArchiveScannerTocReader? _toc;
    private int _wantedBlocksLeft = -1;
    private Step _step = Step.HeaderAndToc;
    private byte _blockType;
    private bool _forwarding;
    private long _chunkRemaining;

    public CustomArchiveBlockFilter(IReadOnlySet<int> wantedDumpIds)
    {
        _wanted = wantedDumpIds;
        _header = new CustomArchiveScannerHeaderReader(_fields);
    }

    private enum Step
    {
        HeaderAndToc,
        BlockType,
        BlockDumpId,
        ChunkLength,
        ChunkPayload,
        LargeObjectOid,
    }

    /// <summary>
    /// True once the header, the table of contents and every wanted block that has data have gone through; from then
    /// on nothing more is passed on, so the reader's input can end.
    /// </summary>
    public bool IsComplete { get; private set; }

    /// <summary>Adds to <paramref name="forward"/> the parts of <paramref name="input"/> to pass on, in order.</summary>
    public void Process(ReadOnlyMemory<byte> input, ICollection<ReadOnlyMemory<byte>> forward)
    {
        var span = input.Span;
        var position = 0;
        var forwardFrom = _forwarding || _step == Step.HeaderAndToc ? 0 : -1;
        while (position < span.Length && !IsComplete)
        {
            var rest = span[position..];
            var before = rest.Length;
            switch (_step)
            {
                case Step.HeaderAndToc:
                    if (AdvanceHeaderAndToc(ref rest))
                    {
                        position += before - rest.Length;
                        Add(forward, input[forwardFrom..position]);
                        forwardFrom = -1;
                        _step = Step.BlockType;
                        IsComplete = _wantedBlocksLeft == 0;
                        continue;
                    }

                    break;

                case Step.BlockType:
                    if (!_fields.TryReadByte(ref rest, out _blockType))
                        break;
                    if (_blockType is not (BlockData or BlockBlobs))
                        throw CustomArchiveScannerErrors.Malformed($"a data block has the unknown type {_blockType}");
                    _step = Step.BlockDumpId;
                    break;

                case Step.BlockDumpId:
                    if (!_fields.TryReadInt(ref rest, out var dumpId))
                        break;
                    position += before - rest.Length;
                    StartBlock(dumpId, forward);
                    forwardFrom = _forwarding ? position : -1;
                    continue;

                case Step.ChunkLength:
                    SkipWholeChunks(ref rest);
                    if (!TryReadLength(ref rest, out _chunkRemaining))
                        break;
                    if (_chunkRemaining == 0)
                        _step = _blockType == BlockBlobs ? Step.LargeObjectOid : EndBlock();
                    else
                        _step = Step.ChunkPayload;
                    break;

                case Step.ChunkPayload:
                {
                    var take = (int)Math.Min(_chunkRemaining, rest.Length);
                    rest = rest[take..];
                    _chunkRemaining -= take;
                    if (_chunkRemaining == 0)
                        _step = Step.ChunkLength;
                    break;
                }

                case Step.LargeObjectOid:
                    if (!_fields.TryReadInt(ref rest, out var oid))
                        break;
                    _step = oid == 0 ? EndBlock() : Step.ChunkLength;
                    break;
            }

            position += before - rest.Length;
            if (_step == Step.BlockType && forwardFrom >= 0)
            {
                // The block just ended: pass it on up to here.
                Add(forward, input[forwardFrom..position]);
                forwardFrom = -1;
            }
        }

        if (forwardFrom >= 0)
        {
            Add(forward, input[forwardFrom..]);
        }
    }

    private static void Add(ICollection<ReadOnlyMemory<byte>> forward, ReadOnlyMemory<byte> piece)
    {
        if (!piece.IsEmpty)
            forward.Add(piece);
    }

    private bool AdvanceHeaderAndToc(ref ReadOnlySpan<byte> input)
    {
        if (_toc is null)
        {
            if (!_header.TryAdvance(ref input))
                return false;
            _toc = new CustomArchiveScannerTocReader(_fields, _header.Version);
        }

        if (!_toc.TryAdvance(ref input))
            return false;
        _wantedBlocksLeft = _toc.Entries.Count(e => e.HasData && _wanted.Contains(e.DumpId));
        return true;
    }

    private void StartBlock(long dumpId, ICollection<ReadOnlyMemory<byte>> forward)
    {
        var entry = dumpId is > 0 and <= int.MaxValue ? _toc!.Find((int)dumpId) : null;
        if (entry is null || !entry.HasData)
            throw CustomArchiveScannerErrors.Malformed($"a data block belongs to dump id {dumpId}, which the TOC does not list as having data");

        _forwarding = _wanted.Contains(entry.DumpId);
        if (_forwarding)
        {
            // The block header was read field by field, maybe across pieces: pass on an identical copy.
            var header = new byte[2 + _fields.IntSize];
            header[0] = _blockType;
            var magnitude = (ulong)dumpId;
            for (var i = 0; i < _fields.IntSize; i++, magnitude >>= 8)
                header[2 + i] = (byte)magnitude;
            forward.Add(header);
        }

        _step = _blockType == BlockBlobs ? Step.LargeObjectOid : Step.ChunkLength;
    }

    private Step EndBlock()
    {
        if (_forwarding)
        {
            _wantedBlocksLeft--;
            IsComplete = _wantedBlocksLeft == 0;
        }

        _forwarding = false;
        return Step.BlockType;
    }

    private bool TryReadLength(ref ReadOnlySpan<byte> input, out long length)
    {
        if (!_fields.TryReadInt(ref input, out length))
            return false;
        if (length < 0)
            throw CustomArchiveScannerErrors.Malformed($"a data chunk has the negative length {length}");
        return true;
    }

    /// <summary>
    /// pg_dump writes every COPY row as its own chunk, so this steps over the chunks that lie wholly inside the input
    /// without going through the field reader; it stops before the closing zero length, a chunk cut by the end of the
    /// input, or anything unusual, which the general path then handles.
    /// </summary>
    private void SkipWholeChunks(ref ReadOnlySpan<byte> input)
    {
        if (_fields.InField)
            return;
        var intSize = _fields.IntSize;
        var headerSize = 1 + intSize;
        var consumed = 0;
        while (input.Length - consumed > headerSize && input[consumed] == 0)
        {
            var lengthBytes = input.Slice(consumed + 1, intSize);
            ulong length = intSize == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes) : ReadMagnitude(lengthBytes);
            if (length == 0 || length > (ulong)(input.Length - consumed - headerSize))
                break;
            consumed += headerSize + (int)length;
        }

        input = input[consumed..];
    }

    private static ulong ReadMagnitude(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
            value = (value << 8) | bytes[i];
        return value;
    }
}
