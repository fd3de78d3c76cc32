using System.Buffers.Binary;

namespace PgBackupTools.Engine.Wal;

/// <summary>Reads the database system identifier from global/pg_control (its first field, 8 bytes, server byte order).</summary>
public static class PgControlFile
{
    public static ulong? TryReadSystemIdentifier(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "global", "pg_control");
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            Span<byte> bytes = stackalloc byte[8];
            file.ReadExactly(bytes);
            var id = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            return id == 0 ? null : id;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
