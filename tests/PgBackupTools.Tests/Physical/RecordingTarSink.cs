using PgBackupTools.Engine.Physical;

namespace PgBackupTools.Tests.Physical;

/// <summary>Keeps every entry and its bytes, and checks the sink call order.</summary>
internal sealed class RecordingTarSink : ITarEntrySink
{
    private MemoryStream? _data;

    public List<(TarEntry Entry, byte[] Data)> Entries { get; } = [];

    public bool ArchiveEnded { get; private set; }

    public void OnEntryStart(TarEntry entry)
    {
        if (_data is not null || ArchiveEnded)
        {
            throw new InvalidOperationException("OnEntryStart out of order");
        }

        Entries.Add((entry, []));
        _data = new MemoryStream();
    }

    public void OnEntryData(ReadOnlySpan<byte> data) =>
        (_data ?? throw new InvalidOperationException("OnEntryData outside an entry")).Write(data);

    public void OnEntryEnd()
    {
        var data = _data ?? throw new InvalidOperationException("OnEntryEnd outside an entry");
        Entries[^1] = (Entries[^1].Entry, data.ToArray());
        _data = null;
    }

    public void OnArchiveEnd()
    {
        if (_data is not null || ArchiveEnded)
        {
            throw new InvalidOperationException("OnArchiveEnd out of order");
        }

        ArchiveEnded = true;
    }

    public static RecordingTarSink Parse(byte[] tar, int seed = 0, int maxPiece = 4096)
    {
        var sink = new RecordingTarSink();
        var parser = new TarStreamParser(sink);
        TarFeeder.FeedRandomPieces(parser, tar, seed, maxPiece);
        parser.Complete();
        return sink;
    }
}

internal static class TarFeeder
{
    /// <summary>Random piece sizes, mixing tiny ones with large ones so boundaries land inside headers and data.</summary>
    public static void FeedRandomPieces(TarStreamParser parser, byte[] bytes, int seed, int maxPiece)
    {
        var random = new Random(seed);
        var offset = 0;
        while (offset < bytes.Length)
        {
            var piece = random.Next(4) == 0 ? random.Next(1, 8) : random.Next(1, maxPiece + 1);
            piece = Math.Min(piece, bytes.Length - offset);
            parser.Feed(bytes.AsSpan(offset, piece));
            offset += piece;
        }
    }
}
