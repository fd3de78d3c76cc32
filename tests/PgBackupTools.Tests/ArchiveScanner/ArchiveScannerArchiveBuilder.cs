using System.Text;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>
/// Writes small custom-format archives by hand, following WriteHead/WriteToc in pg_backup_archiver.c and the block
/// layout of pg_backup_custom.c, so the scanner can be tested on exact, known input.
/// </summary>
internal sealed class ArchiveScannerArchiveBuilder
{
    private readonly List<Entry> _entries = [];
    private readonly List<Action<MemoryStream>> _blocks = [];

    public byte Major { get; init; } = 1;

    public byte Minor { get; init; } = 14;

    public int IntSize { get; init; } = 4;

    public int OffsetSize { get; init; } = 8;

    public byte Format { get; init; } = 1;

    /// <summary>Compression level before 1.15, algorithm from 1.15 on.</summary>
    public int Compression { get; init; }

    public string Encoding { get; init; } = "UTF8";

    public ArchiveScannerArchiveBuilder AddEntry(
        int dumpId, string desc, string? schema, string tag, bool hasData = false, string? copyStatement = null,
        int section = 2, params int[] dependencies)
    {
        _entries.Add(new Entry(dumpId, desc, schema, tag, hasData, copyStatement, section, dependencies));
        return this;
    }

    public ArchiveScannerArchiveBuilder AddTable(int tableId, int dataId, string schema, string table)
    {
        AddEntry(tableId, "TABLE", schema, table, section: 2);
        return AddEntry(dataId, "TABLE DATA", schema, table, hasData: true,
            copyStatement: $"COPY {schema}.{table} (x) FROM stdin;\n", section: 3, dependencies: tableId);
    }

    /// <summary>A BLK_DATA block holding <paramref name="chunks"/> as separate length-prefixed chunks.</summary>
    public ArchiveScannerArchiveBuilder AddDataBlock(int dumpId, params string[] chunks)
    {
        _blocks.Add(s =>
        {
            s.WriteByte(1);
            WriteInt(s, dumpId);
            foreach (var chunk in chunks)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(chunk);
                WriteInt(s, bytes.Length);
                s.Write(bytes);
            }

            WriteInt(s, 0);
        });
        return this;
    }

    /// <summary>A BLK_BLOBS block holding the given large objects, each split into chunks of at most 7 bytes.</summary>
    public ArchiveScannerArchiveBuilder AddBlobsBlock(int dumpId, params (uint Oid, byte[] Data)[] largeObjects)
    {
        _blocks.Add(s =>
        {
            s.WriteByte(3);
            WriteInt(s, dumpId);
            foreach (var (oid, data) in largeObjects)
            {
                WriteInt(s, oid);
                foreach (var chunk in data.Chunk(7))
                {
                    WriteInt(s, chunk.Length);
                    s.Write(chunk);
                }

                WriteInt(s, 0);
            }

            WriteInt(s, 0);
        });
        return this;
    }

    public byte[] Build()
    {
        using var s = new MemoryStream();
        s.Write("PGDMP"u8);
        s.WriteByte(Major);
        s.WriteByte(Minor);
        s.WriteByte(0);
        s.WriteByte((byte)IntSize);
        s.WriteByte((byte)OffsetSize);
        s.WriteByte(Format);
        if (Minor >= 15)
            s.WriteByte((byte)Compression);
        else
            WriteInt(s, Compression);
        foreach (var timeField in new[] { 5, 4, 3, 2, 1, 124, 0 })
            WriteInt(s, timeField);
        WriteStr(s, "testdb");
        WriteStr(s, "15.99");
        WriteStr(s, "15.98");

        WriteInt(s, _entries.Count + 1);
        WriteEntry(s, new Entry(_entries.Select(e => e.DumpId).DefaultIfEmpty(0).Max() + 1, "ENCODING", null, "ENCODING",
            false, null, 2, []), $"SET client_encoding = '{Encoding}';\n");
        foreach (var entry in _entries)
            WriteEntry(s, entry, entry.Desc is "TABLE" or "INDEX" ? $"CREATE {entry.Desc} ...;" : "");

        foreach (var block in _blocks)
            block(s);
        return s.ToArray();
    }

    private void WriteEntry(MemoryStream s, Entry e, string definition)
    {
        WriteInt(s, e.DumpId);
        WriteInt(s, e.HasData ? 1 : 0);
        WriteStr(s, e.HasData ? "0" : "1259");
        WriteStr(s, "16385");
        WriteStr(s, e.Tag);
        WriteStr(s, e.Desc);
        WriteInt(s, e.Section);
        WriteStr(s, definition);
        WriteStr(s, "");
        WriteStr(s, e.CopyStatement);
        WriteStr(s, e.Schema);
        WriteStr(s, "");
        if (Minor >= 14)
            WriteStr(s, e.Desc == "TABLE" ? "heap" : "");
        if (Minor >= 16)
            WriteInt(s, e.Desc == "TABLE" ? 'r' : 0);
        WriteStr(s, "owner");
        WriteStr(s, "false");
        foreach (var dependency in e.Dependencies)
            WriteStr(s, dependency.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteStr(s, null);

        // _WriteExtraToc: K_OFFSET_POS_NOT_SET (1) for entries with data, K_OFFSET_NO_DATA (3) otherwise.
        s.WriteByte(e.HasData ? (byte)1 : (byte)3);
        s.Write(new byte[OffsetSize]);
    }

    private void WriteInt(MemoryStream s, long value)
    {
        s.WriteByte(value < 0 ? (byte)1 : (byte)0);
        var magnitude = (ulong)Math.Abs(value);
        for (var i = 0; i < IntSize; i++)
        {
            s.WriteByte((byte)(magnitude & 0xFF));
            magnitude >>= 8;
        }
    }

    private void WriteStr(MemoryStream s, string? value)
    {
        if (value is null)
        {
            WriteInt(s, -1);
            return;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        WriteInt(s, bytes.Length);
        s.Write(bytes);
    }

    private sealed record Entry(
        int DumpId, string Desc, string? Schema, string Tag, bool HasData, string? CopyStatement, int Section, int[] Dependencies);
}
