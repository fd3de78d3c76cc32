using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Walks the data blocks that follow the TOC (pg_backup_custom.c): a block type byte and a dump id, then for table
/// data length-prefixed chunks ended by a zero length, and for large objects a list of (oid, chunks, zero) ended by
/// oid 0. Table data is uncompressed COPY text with exactly one '\n' per row (newlines in values are escaped), so
/// rows are counted by counting newline bytes in place, never copying or holding the data; only the end-of-data
/// marker's newlines are taken off again (see <see cref="CustomArchiveScannerCopyTail"/>).
/// </summary>
internal sealed class CustomArchiveScannerDataReader
{
    private const byte BlockData = 1;   // BLK_DATA
    private const byte BlockBlobs = 3;  // BLK_BLOBS

    private readonly CustomArchiveScannerFieldReader _fields;
    private readonly CustomArchiveScannerTocReader _toc;
    private readonly HashSet<int> _blocksSeen = [];
    private readonly List<CustomArchiveScannerTableData> _tables = [];
    private readonly CustomArchiveScannerCopyTail _tail = new();

    private Step _step = Step.BlockType;
    private byte _blockType;
    private CustomArchiveScannerTocEntry? _block;
    private bool _countRows;
    private long _rows;
    private long _blockBytes;
    private long _chunkRemaining;

    public CustomArchiveScannerDataReader(CustomArchiveScannerFieldReader fields, CustomArchiveScannerTocReader toc)
    {
        _fields = fields;
        _toc = toc;
    }

    private enum Step
    {
        BlockType,
        BlockDumpId,
        ChunkLength,
        ChunkPayload,
        LargeObjectOid,
        LargeObjectChunkLength,
        LargeObjectPayload,
    }

    public IReadOnlyList<CustomArchiveScannerTableData> Tables => _tables;

    public long LargeObjectCount { get; private set; }

    public long LargeObjectBytes { get; private set; }

    /// <summary>The only place a complete archive can end: between blocks, with no field half read.</summary>
    public bool IsBetweenBlocks => _step == Step.BlockType && !_fields.InField;

    /// <summary>A description of where the stream stopped, for the truncation error.</summary>
    public string Position => _block is null
        ? "between data blocks"
        : $"inside the data of {Describe(_block)}";

    public void Advance(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            switch (_step)
            {
                case Step.BlockType:
                    if (!_fields.TryReadByte(ref input, out _blockType))
                        return;
                    if (_blockType is not (BlockData or BlockBlobs))
                        throw CustomArchiveScannerErrors.Malformed($"a data block has the unknown type {_blockType}");
                    _step = Step.BlockDumpId;
                    break;

                case Step.BlockDumpId:
                    if (!_fields.TryReadInt(ref input, out var dumpId))
                        return;
                    StartBlock(dumpId);
                    break;

                case Step.ChunkLength:
                    if (!_fields.InField)
                        ScanWholeChunks(ref input);
                    if (!TryReadChunkLength(ref input))
                        return;
                    _step = _chunkRemaining == 0 ? EndTableBlock() : Step.ChunkPayload;
                    break;

                case Step.ChunkPayload:
                    ScanTableChunk(ref input);
                    if (_chunkRemaining == 0)
                        _step = Step.ChunkLength;
                    break;

                case Step.LargeObjectOid:
                    if (!_fields.TryReadInt(ref input, out var oid))
                        return;
                    if (oid == 0)
                    {
                        _block = null;
                        _step = Step.BlockType;
                    }
                    else
                    {
                        LargeObjectCount++;
                        _step = Step.LargeObjectChunkLength;
                    }

                    break;

                case Step.LargeObjectChunkLength:
                    if (!TryReadChunkLength(ref input))
                        return;
                    _step = _chunkRemaining == 0 ? Step.LargeObjectOid : Step.LargeObjectPayload;
                    break;

                case Step.LargeObjectPayload:
                {
                    var take = (int)Math.Min(_chunkRemaining, input.Length);
                    input = input[take..];
                    _chunkRemaining -= take;
                    LargeObjectBytes += take;
                    if (_chunkRemaining == 0)
                        _step = Step.LargeObjectChunkLength;
                    break;
                }
            }
        }
    }

    /// <summary>Entries whose data the TOC announced but the stream never delivered.</summary>
    public IEnumerable<CustomArchiveScannerTocEntry> MissingBlocks() =>
        _toc.Entries.Where(e => e.HasData && !_blocksSeen.Contains(e.DumpId));

    internal static string Describe(CustomArchiveScannerTocEntry entry) =>
        entry.Namespace is null
            ? $"{entry.Desc} \"{entry.Tag}\" (dump id {entry.DumpId})"
            : $"{entry.Desc} \"{entry.Namespace}\".\"{entry.Tag}\" (dump id {entry.DumpId})";

    private void StartBlock(long dumpId)
    {
        var entry = dumpId is > 0 and <= int.MaxValue ? _toc.Find((int)dumpId) : null;
        if (entry is null || !entry.HasData)
            throw CustomArchiveScannerErrors.Malformed($"a data block belongs to dump id {dumpId}, which the TOC does not list as having data");
        if (!_blocksSeen.Add(entry.DumpId))
            throw CustomArchiveScannerErrors.Malformed($"the data of {Describe(entry)} appears twice");

        _block = entry;
        if (_blockType == BlockBlobs)
        {
            _step = Step.LargeObjectOid;
            return;
        }

        _countRows = entry.Desc == "TABLE DATA";
        _rows = 0;
        _blockBytes = 0;
        _tail.Reset();
        _step = Step.ChunkLength;
    }

    private bool TryReadChunkLength(ref ReadOnlySpan<byte> input)
    {
        if (!_fields.TryReadInt(ref input, out var length))
            return false;
        if (length < 0)
            throw CustomArchiveScannerErrors.Malformed($"the data of {Describe(_block!)} has a chunk of negative length {length}");
        _chunkRemaining = length;
        return true;
    }

    /// <summary>
    /// The hot loop: pg_dump writes every COPY row as its own chunk, so per-chunk overhead decides the speed. This
    /// walks the chunks that lie wholly inside the input, then counts newlines over the whole stretch in one
    /// vectorised pass and subtracts the few that were bytes of chunk lengths. Anything else (a chunk cut by the end
    /// of the input, the closing zero length, a bad length) is left to the general path.
    /// </summary>
    // Optimised from the first call: a backup may spend its first gigabytes in here before tiering would kick in.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScanWholeChunks(ref ReadOnlySpan<byte> input)
    {
        var intSize = _fields.IntSize;
        var headerSize = 1 + intSize;
        Span<int> recentStarts = stackalloc int[CustomArchiveScannerCopyTail.Capacity];
        Span<int> recentLengths = stackalloc int[CustomArchiveScannerCopyTail.Capacity];
        var chunks = 0;
        var consumed = 0;
        var lengthNewlines = 0;
        while (input.Length - consumed > headerSize && input[consumed] == 0)
        {
            var lengthBytes = input.Slice(consumed + 1, intSize);
            var length = intSize == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes) : ReadMagnitude(lengthBytes);
            if (length == 0 || length > (ulong)(input.Length - consumed - headerSize))
                break;
            lengthNewlines += CountNewlines(lengthBytes);
            var slot = chunks++ % CustomArchiveScannerCopyTail.Capacity;
            recentStarts[slot] = consumed + headerSize;
            recentLengths[slot] = (int)length;
            consumed += headerSize + (int)length;
        }

        if (chunks == 0)
            return;

        var dataBytes = consumed - (chunks * headerSize);
        _blockBytes += dataBytes;
        if (_countRows)
        {
            _rows += input[..consumed].Count((byte)'\n') - lengthNewlines;
            RememberTail(input, recentStarts, recentLengths, chunks, dataBytes);
        }

        input = input[consumed..];
    }

    /// <summary>
    /// Feeds the tail only the newest chunks that cover its capacity. Every chunk holds at least one byte, so the
    /// newest Capacity chunks always suffice.
    /// </summary>
    private void RememberTail(ReadOnlySpan<byte> input, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, int chunks, int dataBytes)
    {
        var available = Math.Min(chunks, CustomArchiveScannerCopyTail.Capacity);
        var needed = 0;
        var covered = 0;
        while (needed < available && covered < CustomArchiveScannerCopyTail.Capacity)
        {
            covered += lengths[(chunks - 1 - needed) % CustomArchiveScannerCopyTail.Capacity];
            needed++;
        }

        if (covered < dataBytes)
            _tail.Skip(dataBytes - covered);
        for (var i = needed - 1; i >= 0; i--)
        {
            var slot = (chunks - 1 - i) % CustomArchiveScannerCopyTail.Capacity;
            _tail.Append(input.Slice(starts[slot], lengths[slot]));
        }
    }

    private static int CountNewlines(ReadOnlySpan<byte> lengthBytes)
    {
        var count = 0;
        foreach (var b in lengthBytes)
            count += b == (byte)'\n' ? 1 : 0;
        return count;
    }

    private static ulong ReadMagnitude(ReadOnlySpan<byte> bytes)
    {
        ulong magnitude = 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
            magnitude = (magnitude << 8) | bytes[i];
        return magnitude;
    }

    private void ScanTableChunk(ref ReadOnlySpan<byte> input)
    {
        var take = (int)Math.Min(_chunkRemaining, input.Length);
        var piece = input[..take];
        input = input[take..];
        _chunkRemaining -= take;
        _blockBytes += take;
        if (!_countRows || take == 0)
            return;
        _rows += piece.Count((byte)'\n');
        _tail.Append(piece);
    }

    private Step EndTableBlock()
    {
        var entry = _block!;
        if (_countRows)
        {
            if (!_tail.EndsWithNewline)
                throw CustomArchiveScannerErrors.Malformed($"the COPY data of {Describe(entry)} does not end with a newline");
            var rows = _rows - _tail.TerminatorNewlines();
            _tables.Add(new CustomArchiveScannerTableData(entry.DumpId, entry.Namespace, entry.Tag, rows, _blockBytes));
        }

        _block = null;
        return Step.BlockType;
    }
}
