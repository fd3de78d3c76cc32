using System.Diagnostics;
using PgBackupTools.Engine.Physical;
using Xunit;

namespace PgBackupTools.Tests.Physical;

/// <summary>Archives written by the system's tar (GNU or bsdtar) in each format, when one is installed.</summary>
public sealed class TarStreamParserSystemTarTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pgbt-tar-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("ustar")]
    [InlineData("pax")]
    [InlineData("gnu")]
    public void Archives_from_system_tar_parse_to_the_same_files(string format)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/usr/bin/tar"))
        {
            return;
        }

        var source = Path.Combine(_root, "src");
        var longDir = format == "ustar" ? new string('d', 60) + "/" + new string('e', 60) : string.Join("/", Enumerable.Repeat(new string('p', 60), 5));
        var files = new Dictionary<string, byte[]>
        {
            ["PG_VERSION"] = "15\n"u8.ToArray(),
            ["base/1/1259"] = Bytes(8192 * 2 + 17, 1),
            [longDir + "/" + new string('f', 90)] = Bytes(700, 2),
            ["empty"] = [],
        };
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(source, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }

        var archive = Path.Combine(_root, "a.tar");
        var start = new ProcessStartInfo("/usr/bin/tar") { RedirectStandardError = true };
        foreach (var arg in new[] { "--format=" + format, "-cf", archive, "-C", source, "." })
        {
            start.ArgumentList.Add(arg);
        }

        using (var tar = Process.Start(start)!)
        {
            var stderr = tar.StandardError.ReadToEnd();
            tar.WaitForExit();
            Assert.True(tar.ExitCode == 0, stderr);
        }

        var sink = RecordingTarSink.Parse(File.ReadAllBytes(archive), seed: format.Length, maxPiece: 1000);

        Assert.True(sink.ArchiveEnded);
        var regular = sink.Entries.Where(e => e.Entry.Type == TarEntryType.Regular)
            .ToDictionary(e => e.Entry.Name.StartsWith("./", StringComparison.Ordinal) ? e.Entry.Name[2..] : e.Entry.Name, e => e.Data);
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), regular.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, content) in files)
        {
            Assert.Equal(content, regular[name]);
        }

        Assert.Contains(sink.Entries, e => e.Entry.Type == TarEntryType.Directory && e.Entry.Name.TrimEnd('/').EndsWith("base/1", StringComparison.Ordinal));
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
