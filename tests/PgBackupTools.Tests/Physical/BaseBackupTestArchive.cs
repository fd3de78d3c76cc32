using System.Text;

namespace PgBackupTools.Tests.Physical;

/// <summary>A small base backup tar laid out as pg_basebackup -Ft writes it, with a manifest built from the same files.</summary>
internal sealed class BaseBackupTestArchive
{
    public List<(string Path, byte[] Content)> Files { get; } =
    [
        ("backup_label", Encoding.UTF8.GetBytes(BackupLabelTests.Pg15Label)),
        ("tablespace_map", []),
        ("PG_VERSION", "15\n"u8.ToArray()),
        ("base/1/1259", Bytes(8192 * 2, 1)),
        ("base/1/1259_fsm", Bytes(24576, 2)),
        ("global/pg_control", Bytes(8192, 3)),
    ];

    public List<string> Directories { get; } = ["base/", "base/1/", "global/", "pg_wal/", "./pg_wal/archive_status/", "pg_tblspc/"];

    /// <summary>Files written to the tar but left out of the manifest.</summary>
    public List<(string Path, byte[] Content)> Unlisted { get; } = [];

    /// <summary>Changes a file's bytes in the tar after the manifest was computed from the originals.</summary>
    public Func<string, byte[], byte[]> TarContent { get; set; } = (_, content) => content;

    public Func<byte[], byte[]> ManifestContent { get; set; } = manifest => manifest;

    public bool IncludeManifest { get; set; } = true;

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public byte[] Manifest()
    {
        var builder = new ManifestTestBuilder();
        foreach (var (path, content) in Files)
        {
            builder.File(path, content);
        }

        return builder.WalRange(1, "0/2000028", "0/2000100").Build();
    }

    public byte[] Build()
    {
        var tar = new TarTestWriter();
        foreach (var (path, content) in Files.Take(2))
        {
            tar.File(path, TarContent(path, content));
        }

        foreach (var directory in Directories)
        {
            tar.Directory(directory);
        }

        foreach (var (path, content) in Files.Skip(2).Concat(Unlisted))
        {
            tar.File(path, TarContent(path, content));
        }

        if (IncludeManifest)
        {
            tar.File("backup_manifest", ManifestContent(Manifest()));
        }

        return tar.End().ToArray();
    }
}
