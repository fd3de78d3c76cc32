using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PgBackupTools.Engine.Physical;

namespace PgBackupTools.Tests.Physical;

/// <summary>Writes backup_manifest byte for byte the way PostgreSQL 15's backup_manifest.c does, with a valid Manifest-Checksum.</summary>
internal sealed class ManifestTestBuilder
{
    private readonly List<string> _files = [];
    private readonly List<string> _ranges = [];

    public int Version { get; init; } = 1;

    public ManifestTestBuilder File(string path, byte[] content) =>
        Raw($"\"Path\": \"{path}\", \"Size\": {content.Length}, \"Last-Modified\": \"2026-12-03 13:40:01 GMT\", \"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"{CrcHex(content)}\"");

    public ManifestTestBuilder File(string path, string content) => File(path, Encoding.UTF8.GetBytes(content));

    /// <summary>The inside of one Files object, without braces.</summary>
    public ManifestTestBuilder Raw(string fields)
    {
        _files.Add("{ " + fields + " }");
        return this;
    }

    public ManifestTestBuilder WalRange(uint timeline, string start, string end)
    {
        _ranges.Add(string.Create(CultureInfo.InvariantCulture, $"{{ \"Timeline\": {timeline}, \"Start-LSN\": \"{start}\", \"End-LSN\": \"{end}\" }}"));
        return this;
    }

    public static string CrcHex(byte[] content)
    {
        var crc = new Crc32C();
        crc.Append(content);
        return crc.ManifestHex;
    }

    public byte[] Build()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{{ \"PostgreSQL-Backup-Manifest-Version\": {Version},\n\"Files\": [");
        text.Append(string.Concat(_files.Select((f, i) => (i == 0 ? "\n" : ",\n") + f)));
        text.Append("\n],\n\"WAL-Ranges\": [");
        var ranges = _ranges.Count == 0 ? ["{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }"] : _ranges;
        text.Append(string.Concat(ranges.Select((r, i) => (i == 0 ? "\n" : ",\n") + r)));
        text.Append("\n],\n");
        var checksum = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
        text.Append("\"Manifest-Checksum\": \"").Append(checksum).Append("\"}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
