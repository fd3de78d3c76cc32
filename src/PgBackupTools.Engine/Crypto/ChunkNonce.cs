using System.Buffers.Binary;

namespace PgBackupTools.Engine.Crypto;

/// <summary>
/// Chunk nonce = chunk index (uint64 BE) || 00 00 00 || last flag. The index stops reordering; the flag stops
/// truncation at a chunk boundary from looking like a complete file. Unique per file key, so never reused.
/// </summary>
internal static class ChunkNonce
{
    public static void Write(Span<byte> nonce, ulong chunkIndex, bool isFinal)
    {
        BinaryPrimitives.WriteUInt64BigEndian(nonce, chunkIndex);
        nonce[8] = 0;
        nonce[9] = 0;
        nonce[10] = 0;
        nonce[11] = isFinal ? (byte)1 : (byte)0;
    }
}
