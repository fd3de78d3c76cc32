using System.Text;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using Xunit;

namespace PgBackupTools.Tests.Physical;

public sealed class TarStreamParserTests
{
    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] SampleArchive(out List<(string Name, TarEntryType Type, byte[] Data)> expected)
    {
        expected =
        [
            ("backup_label", TarEntryType.Regular, Encoding.UTF8.GetBytes("START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n")),
            ("tablespace_map", TarEntryType.Regular, []),
            ("base/", TarEntryType.Directory, []),
            ("base/1/1259", TarEntryType.Regular, RandomBytes(8192 * 3, 1)),
            ("base/1/1259_fsm", TarEntryType.Regular, RandomBytes(513, 2)),
            ("base/1/odd", TarEntryType.Regular, RandomBytes(511, 3)),
            ("pg_tblspc/", TarEntryType.Directory, []),
            ("backup_manifest", TarEntryType.Regular, RandomBytes(100_000, 4)),
        ];
        var writer = new TarTestWriter();
        foreach (var (name, type, data) in expected)
        {
            if (type == TarEntryType.Directory)
            {
                writer.Directory(name);
            }
            else
            {
                writer.File(name, data);
            }
        }

        return writer.End().ToArray();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 513)]
    [InlineData(4, 4096)]
    [InlineData(5, 1 << 20)]
    public void Entries_and_bytes_come_out_whatever_the_piece_sizes(int seed, int maxPiece)
    {
        var tar = SampleArchive(out var expected);

        var sink = RecordingTarSink.Parse(tar, seed, maxPiece);

        Assert.True(sink.ArchiveEnded);
        Assert.Equal(expected.Select(e => e.Name), sink.Entries.Select(e => e.Entry.Name));
        Assert.Equal(expected.Select(e => e.Type), sink.Entries.Select(e => e.Entry.Type));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Data, sink.Entries[i].Data);
            Assert.Equal(expected[i].Data.Length, sink.Entries[i].Entry.Size);
        }
    }

    [Fact]
    public void Header_fields_are_decoded()
    {
        var tar = new TarTestWriter().File("PG_VERSION", "15\n").Symlink("pg_tblspc/16384", "/srv/ts").End().ToArray();

        var sink = RecordingTarSink.Parse(tar);

        var file = sink.Entries[0].Entry;
        Assert.Equal(0x180, file.Mode);
        Assert.Equal(3, file.Size);
        Assert.Equal(TarTestWriter.DefaultTime, file.ModificationTime);
        Assert.Null(file.LinkTarget);
        var link = sink.Entries[1].Entry;
        Assert.Equal(TarEntryType.SymbolicLink, link.Type);
        Assert.Equal("/srv/ts", link.LinkTarget);
        Assert.Equal('2', link.TypeFlag);
    }

    [Fact]
    public void Ustar_prefix_is_joined_to_the_name()
    {
        var longName = "base/16384/" + new string('d', 80) + "/" + new string('f', 90);
        var tar = new TarTestWriter().File(longName, "x").End().ToArray();

        Assert.Equal(longName, RecordingTarSink.Parse(tar, 9, 3).Entries.Single().Entry.Name);
    }

    [Fact]
    public void Pax_path_and_size_override_the_next_entry_only()
    {
        var longPath = "base/" + string.Join("/", Enumerable.Repeat("segment-of-a-very-long-path", 12)) + "/file";
        var content = RandomBytes(1500, 5);
        var tar = new TarTestWriter()
            .GlobalPax(("comment", "ignored"))
            .Pax(("path", longPath), ("size", "1500"), ("mtime", "1700000000.5"))
            .Header("truncated-name", '0', 0, 0x180)
            .Data(content)
            .File("next", "n")
            .End()
            .ToArray();

        var sink = RecordingTarSink.Parse(tar, 11, 50);

        Assert.Equal(2, sink.Entries.Count);
        Assert.Equal(longPath, sink.Entries[0].Entry.Name);
        Assert.Equal(1500, sink.Entries[0].Entry.Size);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), sink.Entries[0].Entry.ModificationTime);
        Assert.Equal(content, sink.Entries[0].Data);
        Assert.Equal("next", sink.Entries[1].Entry.Name);
        Assert.Equal(TarTestWriter.DefaultTime, sink.Entries[1].Entry.ModificationTime);
    }

    [Fact]
    public void Gnu_long_name_overrides_the_next_entry()
    {
        var longPath = "base/" + new string('n', 300);
        var tar = new TarTestWriter().GnuLongName(longPath).File("short", "data").End().ToArray();

        var entry = RecordingTarSink.Parse(tar, 2, 5).Entries.Single();

        Assert.Equal(longPath, entry.Entry.Name);
        Assert.Equal("data", Encoding.UTF8.GetString(entry.Data));
    }

    [Fact]
    public void Base256_size_is_read()
    {
        var header = TarTestWriter.BuildHeader("big", '0', 0, 0x180);
        header.AsSpan(124, 12).Clear();
        header[124] = 0x80;
        header[134] = 0x03;
        header[135] = 0xE8; // 1000
        TarTestWriter.SetChecksum(header);
        var content = RandomBytes(1000, 6);
        var tar = new TarTestWriter().Raw(header).Data(content).End().ToArray();

        var entry = RecordingTarSink.Parse(tar).Entries.Single();

        Assert.Equal(1000, entry.Entry.Size);
        Assert.Equal(content, entry.Data);
    }

    [Fact]
    public void Base256_number_beyond_8_GiB()
    {
        var field = new byte[12];
        field[0] = 0x80;
        field[7] = 0x02; // 2 << 32 = 8 GiB
        field[11] = 0x01;

        Assert.Equal((2L << 32) + 1, TarHeader.ReadNumber(field, "size", 0));
    }

    [Fact]
    public void Signed_checksum_sum_is_accepted()
    {
        var header = TarTestWriter.BuildHeader("caf\u00e9", '0', 0, 0x180);
        header.AsSpan(148, 8).Fill((byte)' ');
        var signedSum = header.Sum(b => (int)(sbyte)b);
        Encoding.ASCII.GetBytes(Convert.ToString(signedSum, 8).PadLeft(7, '0')).CopyTo(header, 148);
        header[155] = 0;
        var tar = new TarTestWriter().Raw(header).End().ToArray();

        Assert.Equal("caf\u00e9", RecordingTarSink.Parse(tar).Entries.Single().Entry.Name);
    }

    [Fact]
    public void Corrupt_header_checksum_names_the_offset()
    {
        // The second header starts after the first header and 1024 bytes of padded data.
        var tar = new TarTestWriter().File("a", RandomBytes(600, 7)).File("b", "b").End().ToArray();
        tar[1536 + 60] = (byte)'z';

        var ex = Assert.Throws<PgBackupException>(() => RecordingTarSink.Parse(tar, 1, 100));

        Assert.Equal("TarHeaderInvalid", ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, ex.Kind);
        Assert.Contains("offset 1536", ex.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1536L, ex.Target);
    }

    [Fact]
    public void Feeding_after_a_failure_is_refused()
    {
        var tar = new byte[1024];
        tar[0] = 1;
        var parser = new TarStreamParser(new RecordingTarSink());

        Assert.Throws<PgBackupException>(() => parser.Feed(tar));
        Assert.Throws<InvalidOperationException>(() => parser.Feed(tar));
    }

    [Theory]
    [InlineData(100, "inside a header block")]
    [InlineData(512 + 300, "inside the data of 'a' (300 of 600 bytes missing)")]
    [InlineData(512 + 600 + 100, "inside the padding")]
    [InlineData(2048, "inside the data of 'b' (1 of 1 bytes missing)")]
    [InlineData(2560, "without the two zero blocks")]
    [InlineData(2560 + 512, "without the two zero blocks")]
    public void Truncated_stream_fails_in_complete(int keep, string where)
    {
        var tar = new TarTestWriter().File("a", RandomBytes(600, 8)).File("b", "b").End().ToArray();
        var parser = new TarStreamParser(new RecordingTarSink());
        parser.Feed(tar.AsSpan(0, keep));

        var ex = Assert.Throws<PgBackupException>(parser.Complete);

        Assert.Equal("TarStreamTruncated", ex.ErrorId);
        Assert.Contains(where, ex.Message, StringComparison.Ordinal);
        Assert.False(parser.IsComplete);
    }

    [Fact]
    public void Zero_padding_after_the_end_is_accepted_but_other_bytes_are_not()
    {
        var tar = new TarTestWriter().File("a", "a").End().Raw(new byte[10240 - 2048]).ToArray();
        Assert.True(RecordingTarSink.Parse(tar).ArchiveEnded);

        var garbage = new TarTestWriter().File("a", "a").End().Raw([0, 0, 7]).ToArray();
        var ex = Assert.Throws<PgBackupException>(() => RecordingTarSink.Parse(garbage));
        Assert.Equal("TarStreamInvalid", ex.ErrorId);
    }

    [Fact]
    public void Unknown_magic_is_rejected()
    {
        var header = TarTestWriter.BuildHeader("a", '0', 0, 0x180);
        "PK\x03\x04zz"u8.CopyTo(header.AsSpan(257));
        TarTestWriter.SetChecksum(header);

        var ex = Assert.Throws<PgBackupException>(() => RecordingTarSink.Parse(new TarTestWriter().Raw(header).End().ToArray()));
        Assert.Contains("magic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lone_zero_block_before_a_header_is_rejected()
    {
        var tar = new TarTestWriter().File("a", "a").Raw(new byte[512]).File("b", "b").End().ToArray();

        var ex = Assert.Throws<PgBackupException>(() => RecordingTarSink.Parse(tar));

        Assert.Equal("TarStreamInvalid", ex.ErrorId);
        Assert.Contains("offset 1536", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gnu_long_link_and_nul_typeflag_are_read()
    {
        var longTarget = "/srv/" + new string('t', 200);
        var linkBody = Encoding.UTF8.GetBytes(longTarget + "\0");
        var oldStyle = TarTestWriter.BuildHeader("old", '0', 1, 0x180);
        oldStyle[156] = 0;
        TarTestWriter.SetChecksum(oldStyle);
        var tar = new TarTestWriter()
            .Header("././@LongLink", 'K', linkBody.Length, 0x1A4).Data(linkBody)
            .Symlink("pg_tblspc/16384", "short")
            .Raw(oldStyle).Data([42])
            .End()
            .ToArray();

        var sink = RecordingTarSink.Parse(tar, 4, 9);

        Assert.Equal(longTarget, sink.Entries[0].Entry.LinkTarget);
        Assert.Equal(TarEntryType.Regular, sink.Entries[1].Entry.Type);
        Assert.Equal('0', sink.Entries[1].Entry.TypeFlag);
        Assert.Equal(new byte[] { 42 }, sink.Entries[1].Data);
    }

    [Fact]
    public void Oversized_extended_header_is_rejected()
    {
        var tar = new TarTestWriter().Header("././@PaxHeader", 'x', TarStreamParser.MaxMetadataSize + 1, 0x1A4).ToArray();

        var ex = Assert.Throws<PgBackupException>(() => new TarStreamParser(new RecordingTarSink()).Feed(tar));

        Assert.Contains("extended header", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10 path\n")]
    [InlineData("99 path=x\n")]
    [InlineData("x path=x\n")]
    [InlineData("11 size=zz\n")]
    public void Malformed_pax_records_are_rejected(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var tar = new TarTestWriter().Header("././@PaxHeader", 'x', bytes.Length, 0x1A4).Data(bytes).File("a", "a").End().ToArray();

        var ex = Assert.Throws<PgBackupException>(() => RecordingTarSink.Parse(tar));

        Assert.Equal("TarStreamInvalid", ex.ErrorId);
        Assert.Contains("PAX", ex.Message, StringComparison.Ordinal);
    }
}
