using System.Globalization;
using System.Text;

namespace PgBackupTools.Engine.Physical;

/// <summary>
/// Push parser for a tar stream (ustar as pg_basebackup writes it, plus PAX 'x' and GNU 'L'/'K' long names):
/// feed it pieces of any size as they arrive and it reports entries and their data to an <see cref="ITarEntrySink"/>.
/// </summary>
public sealed class TarStreamParser
{
    /// <summary>PAX and GNU long-name headers are buffered whole; real ones are a few hundred bytes.</summary>
    internal const int MaxMetadataSize = 1 << 20;

    private readonly ITarEntrySink _sink;
    private readonly byte[] _block = new byte[TarHeader.BlockSize];
    private int _blockFill;
    private State _state = State.Header;
    private long _remaining;
    private int _padding;
    private int _zeroBlocks;
    private TarEntry? _current;
    private char _metadataKind;
    private long _metadataOffset;
    private byte[] _metadata = [];
    private int _metadataFill;
    private TarPaxRecords? _pax;
    private string? _longName;
    private string? _longLink;

    public TarStreamParser(ITarEntrySink sink) => _sink = sink;

    private enum State
    {
        Header,
        Data,
        Metadata,
        Skip,
        Padding,
        End,
        Failed,
    }

    /// <summary>Bytes consumed so far.</summary>
    public long Position { get; private set; }

    /// <summary>True once both end-of-archive zero blocks have been read.</summary>
    public bool IsComplete => _state == State.End;

    public void Feed(ReadOnlySpan<byte> data)
    {
        if (_state == State.Failed)
        {
            throw new InvalidOperationException("The tar parser already failed; start over with a new parser.");
        }

        try
        {
            while (!data.IsEmpty)
            {
                var used = Step(data);
                Position += used;
                data = data[used..];
            }
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    /// <summary>Call at the end of the stream: throws if it stopped inside an entry or before the end-of-archive blocks.</summary>
    public void Complete()
    {
        switch (_state)
        {
            case State.End:
                return;
            case State.Failed:
                throw new InvalidOperationException("The tar parser already failed.");
            case State.Data:
                throw TarErrors.Truncated(Position, string.Create(CultureInfo.InvariantCulture, $"inside the data of '{_current!.Name}' ({_remaining} of {_current.Size} bytes missing)"));
            case State.Metadata or State.Skip:
                throw TarErrors.Truncated(Position, "inside an extended header");
            case State.Padding:
                throw TarErrors.Truncated(Position, "inside the padding after an entry");
            default:
                throw TarErrors.Truncated(Position, _blockFill > 0
                    ? "inside a header block"
                    : "without the two zero blocks that end a tar archive");
        }
    }

    private int Step(ReadOnlySpan<byte> data)
    {
        switch (_state)
        {
            case State.Header:
                {
                    var n = Math.Min(TarHeader.BlockSize - _blockFill, data.Length);
                    data[..n].CopyTo(_block.AsSpan(_blockFill));
                    _blockFill += n;
                    if (_blockFill == TarHeader.BlockSize)
                    {
                        _blockFill = 0;
                        OnHeaderBlock(Position + n - TarHeader.BlockSize);
                    }

                    return n;
                }

            case State.Data:
                {
                    var n = (int)Math.Min(_remaining, data.Length);
                    _sink.OnEntryData(data[..n]);
                    _remaining -= n;
                    if (_remaining == 0)
                    {
                        _sink.OnEntryEnd();
                        _current = null;
                        EnterPaddingOrHeader();
                    }

                    return n;
                }

            case State.Metadata:
                {
                    var n = Math.Min(_metadata.Length - _metadataFill, data.Length);
                    data[..n].CopyTo(_metadata.AsSpan(_metadataFill));
                    _metadataFill += n;
                    if (_metadataFill == _metadata.Length)
                    {
                        OnMetadata();
                        EnterPaddingOrHeader();
                    }

                    return n;
                }

            case State.Skip:
                {
                    var n = (int)Math.Min(_remaining, data.Length);
                    _remaining -= n;
                    if (_remaining == 0)
                    {
                        EnterPaddingOrHeader();
                    }

                    return n;
                }

            case State.Padding:
                {
                    var n = Math.Min(_padding, data.Length);
                    _padding -= n;
                    if (_padding == 0)
                    {
                        _state = State.Header;
                    }

                    return n;
                }

            default:
                // Writers may pad the archive to a record size (GNU tar: 10240 bytes) with more zeros.
                var nonZero = data.IndexOfAnyExcept((byte)0);
                if (nonZero >= 0)
                {
                    throw TarErrors.Invalid(Position + nonZero, "data after the end-of-archive blocks");
                }

                return data.Length;
        }
    }

    private void OnHeaderBlock(long offset)
    {
        if (TarHeader.IsZeroBlock(_block))
        {
            if (++_zeroBlocks == 2)
            {
                _state = State.End;
                _sink.OnArchiveEnd();
            }

            return;
        }

        if (_zeroBlocks > 0)
        {
            throw TarErrors.Invalid(offset, "a single zero block followed by another header");
        }

        var header = TarHeader.Parse(_block, offset);
        _padding = PaddingFor(header.Size);
        switch (header.TypeFlag)
        {
            case 'x' or 'L' or 'K':
                if (header.Size > MaxMetadataSize)
                {
                    throw TarErrors.Invalid(offset, $"extended header of {header.Size} bytes is larger than the limit of {MaxMetadataSize}");
                }

                _metadataKind = header.TypeFlag;
                _metadataOffset = offset;
                _metadata = new byte[header.Size];
                _metadataFill = 0;
                _state = State.Metadata;
                if (header.Size == 0)
                {
                    OnMetadata();
                    EnterPaddingOrHeader();
                }

                return;
            case 'g':
                _remaining = header.Size;
                _state = State.Skip;
                if (header.Size == 0)
                {
                    EnterPaddingOrHeader();
                }

                return;
        }

        StartEntry(header);
    }

    private void StartEntry(TarHeader header)
    {
        var size = _pax?.Size ?? header.Size;
        var type = header.TypeFlag switch
        {
            '0' or '7' => TarEntryType.Regular,
            '5' => TarEntryType.Directory,
            '2' => TarEntryType.SymbolicLink,
            _ => TarEntryType.Other,
        };
        var linkTarget = _pax?.LinkPath ?? _longLink ?? (header.LinkName.Length > 0 ? header.LinkName : null);
        _current = new TarEntry(
            _pax?.Path ?? _longName ?? header.Name,
            type,
            size,
            header.Mode,
            linkTarget,
            DateTimeOffset.FromUnixTimeSeconds(_pax?.ModificationTime ?? header.ModificationTime),
            header.TypeFlag);
        _pax = null;
        _longName = null;
        _longLink = null;
        _padding = PaddingFor(size);
        _remaining = size;

        _sink.OnEntryStart(_current);
        if (size == 0)
        {
            _sink.OnEntryEnd();
            _current = null;
            _state = State.Header;
            return;
        }

        _state = State.Data;
    }

    private void OnMetadata()
    {
        var content = _metadata.AsSpan();
        if (_metadataKind == 'x')
        {
            _pax = TarPaxRecords.Parse(content, _metadataOffset);
        }
        else
        {
            var end = content.IndexOf((byte)0);
            var text = Encoding.UTF8.GetString(end < 0 ? content : content[..end]);
            if (_metadataKind == 'L')
            {
                _longName = text;
            }
            else
            {
                _longLink = text;
            }
        }

        _metadata = [];
    }

    private void EnterPaddingOrHeader() => _state = _padding > 0 ? State.Padding : State.Header;

    private static int PaddingFor(long size) => (int)((TarHeader.BlockSize - (size % TarHeader.BlockSize)) % TarHeader.BlockSize);
}
