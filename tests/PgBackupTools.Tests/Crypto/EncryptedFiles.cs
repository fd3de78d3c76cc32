using PgBackupTools.Engine.Crypto;

namespace PgBackupTools.Tests.Crypto;

/// <summary>Encrypt/decrypt helpers over whole byte arrays for the chunk stream tests.</summary>
internal static class EncryptedFiles
{
    public const int ChunkSize = 4096;
    public const int HeaderSize = 32;
    public const int TagSize = 16;
    public const int RecordSize = ChunkSize + TagSize;

    public static byte[] Plaintext(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Encrypt(byte[] plaintext, DataKey key, string fileName = "db/app.dump", int chunkSize = ChunkSize)
    {
        using var output = new MemoryStream();
        using (var writer = new AeadChunkWriteStream(output, key, fileName, chunkSize, leaveOpen: true))
        {
            writer.Write(plaintext);
        }

        return output.ToArray();
    }

    public static byte[] Decrypt(byte[] file, DataKey key, string fileName = "db/app.dump")
    {
        using var reader = new AeadChunkReadStream(new TrickleReadStream(file), key, fileName);
        using var plaintext = new MemoryStream();
        reader.CopyTo(plaintext);
        return plaintext.ToArray();
    }

    /// <summary>Offset of chunk <paramref name="index"/> in a file with full chunks of <see cref="ChunkSize"/>.</summary>
    public static int ChunkOffset(int index) => HeaderSize + (index * RecordSize);
}
