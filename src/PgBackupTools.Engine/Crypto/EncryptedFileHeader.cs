using System.Buffers.Binary;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Crypto;

/// <summary>
/// The 32-byte header of an encrypted file: "PGBTENC1" | chunk size (uint32 BE) | 4 zero bytes | 16-byte salt.
/// The whole header is the AAD of every chunk, so none of it can be altered without detection.
/// </summary>
internal static class EncryptedFileHeader
{
    public const int Size = 32;
    public const int DefaultChunkSize = 1024 * 1024;
    public const int MinimumChunkSize = 4096;
    public const int MaximumChunkSize = 16 * 1024 * 1024;

    private const int ChunkSizeOffset = 8;
    private const int ReservedOffset = 12;
    private const int SaltOffset = 16;

    public static ReadOnlySpan<byte> Magic => "PGBTENC1"u8;

    public static bool IsValidChunkSize(int chunkSize) => chunkSize is >= MinimumChunkSize and <= MaximumChunkSize;

    public static void Write(Span<byte> header, int chunkSize, ReadOnlySpan<byte> salt)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32BigEndian(header[ChunkSizeOffset..], (uint)chunkSize);
        header.Slice(ReservedOffset, 4).Clear();
        salt.CopyTo(header[SaltOffset..]);
    }

    public static ReadOnlySpan<byte> Salt(ReadOnlySpan<byte> header) => header.Slice(SaltOffset, CryptoSizes.Salt);

    /// <summary>Returns the chunk size, or throws BadHeader.</summary>
    public static int Parse(ReadOnlySpan<byte> header, string fileName)
    {
        if (!header[..Magic.Length].SequenceEqual(Magic))
        {
            throw BadHeader(fileName, "it does not start with the PGBTENC1 magic (not a PgBackupTools encrypted file, or damaged)");
        }

        var chunkSize = BinaryPrimitives.ReadUInt32BigEndian(header[ChunkSizeOffset..]);
        if (chunkSize is < MinimumChunkSize or > MaximumChunkSize)
        {
            throw BadHeader(fileName, $"its chunk size {chunkSize} is outside {MinimumChunkSize}..{MaximumChunkSize}");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(header[ReservedOffset..]) != 0)
        {
            throw BadHeader(fileName, "its reserved header bytes are not zero (damaged, or written by a newer format)");
        }

        return (int)chunkSize;
    }

    private static IntegrityException BadHeader(string fileName, string reason) =>
        new(IntegrityFailure.BadHeader, fileName, $"The encrypted file '{fileName}' has a bad header: {reason}.");
}
