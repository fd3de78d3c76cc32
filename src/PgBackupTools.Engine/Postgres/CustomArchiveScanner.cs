using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Watches a pg_dump custom-format archive (-Fc -Z0) stream go by and reports its table of contents and exact
/// per-table row counts without a second pass over the database. Feed it every byte in order with
/// <see cref="Observe"/>, in pieces of any size, then call <see cref="Complete"/> at end of stream. It never seeks,
/// never copies table or large-object data and holds at most one TOC string at a time, so memory stays flat
/// whatever the dump size. Not thread-safe: one writer at a time.
/// </summary>
/// <exception cref="PgBackupException">
/// "DumpStreamMalformed" when the stream is not a custom archive or stops part way (pg_dump died);
/// "DumpFormatUnsupported" for a newer archive version, compressed data or non-COPY table data.
/// </exception>
public sealed class CustomArchiveScanner
{
    private readonly CustomArchiveScannerFieldReader _fields = new();
    private readonly CustomArchiveScannerHeaderReader _header;
    private CustomArchiveScannerTocReader? _toc;
    private CustomArchiveScannerDataReader? _data;
    private long _bytesObserved;
    private PgBackupException? _failure;
    private bool _completed;

    public CustomArchiveScanner() => _header = new CustomArchiveScannerHeaderReader(_fields);

    /// <summary>Bytes seen so far.</summary>
    public long BytesObserved => _bytesObserved;

    /// <summary>Scans the next piece of the stream. Throws as soon as the bytes cannot be a valid archive.</summary>
    public void Observe(ReadOnlySpan<byte> bytes)
    {
        ThrowIfUnusable();
        _bytesObserved += bytes.Length;
        try
        {
            Advance(bytes);
        }
        catch (PgBackupException ex)
        {
            _failure = ex;
            throw;
        }
    }

    /// <summary>
    /// Declares the end of the stream and returns what was found. Throws DumpStreamMalformed if the stream ended
    /// anywhere but after the last data block the table of contents announced.
    /// </summary>
    public CustomArchiveScannerResult Complete()
    {
        ThrowIfUnusable();
        _completed = true;
        try
        {
            return BuildResult();
        }
        catch (PgBackupException ex)
        {
            _failure = ex;
            throw;
        }
    }

    private void Advance(ReadOnlySpan<byte> input)
    {
        if (_toc is null)
        {
            if (!_header.TryAdvance(ref input))
                return;
            _toc = new CustomArchiveScannerTocReader(_fields, _header.Version);
        }

        if (_data is null)
        {
            if (!_toc.TryAdvance(ref input))
                return;
            _data = new CustomArchiveScannerDataReader(_fields, _toc);
        }

        _data.Advance(input);
    }

    private CustomArchiveScannerResult BuildResult()
    {
        if (_bytesObserved == 0)
            throw CustomArchiveScannerErrors.Malformed("the stream is empty");
        if (_toc is null)
            throw CustomArchiveScannerErrors.Malformed($"it ends inside the archive header, after {_bytesObserved} bytes");

        // The TOC is complete once its last entry is read; a dump without data has nothing after it.
        if (_data is null && _toc.IsDone)
            _data = new CustomArchiveScannerDataReader(_fields, _toc);
        if (_data is null)
            throw CustomArchiveScannerErrors.Malformed($"it ends inside the table of contents, after {_bytesObserved} bytes");
        if (!_data.IsBetweenBlocks)
            throw CustomArchiveScannerErrors.Malformed($"it ends {_data.Position}, after {_bytesObserved} bytes");

        var missing = _data.MissingBlocks().ToList();
        if (missing.Count > 0)
        {
            throw CustomArchiveScannerErrors.Malformed(
                $"it ends after {_bytesObserved} bytes without the data of {missing.Count} TOC entries, " +
                $"the first being {CustomArchiveScannerDataReader.Describe(missing[0])}");
        }

        return new CustomArchiveScannerResult
        {
            ArchiveVersion = _header.Version,
            DatabaseName = _header.DatabaseName,
            ServerVersion = _header.ServerVersion,
            DumpVersion = _header.DumpVersion,
            Encoding = _toc.EncodingName,
            TocEntries = _toc.Entries,
            Tables = _data.Tables,
            LargeObjectCount = _data.LargeObjectCount,
            LargeObjectBytes = _data.LargeObjectBytes,
            BytesObserved = _bytesObserved,
        };
    }

    private void ThrowIfUnusable()
    {
        if (_failure is not null)
            throw new PgBackupException(_failure.ErrorId, _failure.Kind, _failure.Message, _failure);
        if (_completed)
            throw new InvalidOperationException("The archive scanner has already completed; use a new scanner for another stream.");
    }
}
