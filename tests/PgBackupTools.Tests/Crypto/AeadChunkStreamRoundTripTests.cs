using System.Buffers.Binary;
using PgBackupTools.Engine.Crypto;
using Xunit;
using static PgBackupTools.Tests.Crypto.EncryptedFiles;

namespace PgBackupTools.Tests.Crypto;

public class AeadChunkStreamRoundTripTests
{
    public static TheoryData<int> Sizes => [0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3 * ChunkSize];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RoundTripsWithOddSizedWritesAndTrickledReads(int size)
    {
        using var key = DataKey.Generate();
        var plaintext = Plaintext(size);
        using var output = new MemoryStream();
        using (var writer = new AeadChunkWriteStream(output, key, "db/app.dump", ChunkSize, leaveOpen: true))
        {
            var pieces = new[] { 1, 7, 333, 4095, 2, 5000, 4096 };
            var offset = 0;
            for (var i = 0; offset < size; i++)
            {
                var count = Math.Min(pieces[i % pieces.Length], size - offset);
                writer.Write(plaintext, offset, count);
                offset += count;
            }

            Assert.Equal(size, writer.PlaintextBytes);
        }

        var file = output.ToArray();
        Assert.Equal(ExpectedFileLength(size), file.Length);
        Assert.Equal(plaintext, Decrypt(file, key));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task RoundTripsAsync(int size)
    {
        using var key = DataKey.Generate();
        var plaintext = Plaintext(size);
        using var output = new MemoryStream();
        long ciphertextBytes;
        await using (var writer = new AeadChunkWriteStream(output, key, "db/app.dump", ChunkSize, leaveOpen: true))
        {
            for (var offset = 0; offset < size; offset += 1000)
            {
                await writer.WriteAsync(plaintext.AsMemory(offset, Math.Min(1000, size - offset)));
            }

            await writer.DisposeAsync();
            ciphertextBytes = writer.CiphertextBytes;
        }

        var file = output.ToArray();
        Assert.Equal(file.Length, ciphertextBytes);
        Assert.Equal(ExpectedFileLength(size), file.Length);

        await using var reader = new AeadChunkReadStream(new TrickleReadStream(file, seed: size), key, "db/app.dump");
        using var decrypted = new MemoryStream();
        await reader.CopyToAsync(decrypted);
        Assert.Equal(plaintext, decrypted.ToArray());
    }

    [Fact]
    public void RoundTripsWithDefaultChunkSize()
    {
        using var key = DataKey.Generate();
        var plaintext = Plaintext((2 * AeadChunkWriteStream.DefaultChunkSize) + 12345);
        var file = Encrypt(plaintext, key, chunkSize: AeadChunkWriteStream.DefaultChunkSize);

        Assert.Equal(32 + plaintext.Length + (3 * 16), file.Length);
        using var reader = new AeadChunkReadStream(new MemoryStream(file), key, "db/app.dump");
        using var decrypted = new MemoryStream();
        reader.CopyTo(decrypted);
        Assert.Equal(plaintext, decrypted.ToArray());
    }

    [Fact]
    public void HeaderHasMagicChunkSizeAndZeroReservedBytes()
    {
        using var key = DataKey.Generate();
        var file = Encrypt(Plaintext(10), key, chunkSize: 8192);

        Assert.Equal("PGBTENC1"u8.ToArray(), file[..8]);
        Assert.Equal(8192u, BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(8)));
        Assert.Equal(new byte[4], file[12..16]);
    }

    [Fact]
    public void SamePlaintextEncryptsDifferentlyEachTime()
    {
        using var key = DataKey.Generate();
        var plaintext = Plaintext(100);

        var first = Encrypt(plaintext, key);
        var second = Encrypt(plaintext, key);

        Assert.NotEqual(first[16..32], second[16..32]);
        Assert.NotEqual(first[32..], second[32..]);
    }

    [Fact]
    public void EmptyStreamIsHeaderPlusEmptyFinalChunk()
    {
        using var key = DataKey.Generate();
        using var output = new MemoryStream();
        var writer = new AeadChunkWriteStream(output, key, "empty", ChunkSize, leaveOpen: true);
        writer.Dispose();

        Assert.Equal(32 + 16, output.Length);
        Assert.Equal(48, writer.CiphertextBytes);
        Assert.Empty(Decrypt(output.ToArray(), key, "empty"));
    }

    [Fact]
    public void ReturnsAuthenticatedChunksBeforeFailingOnALaterOne()
    {
        using var key = DataKey.Generate();
        var plaintext = Plaintext(3 * ChunkSize);
        var file = Encrypt(plaintext, key);
        file[ChunkOffset(1) + 5] ^= 0x01;

        using var reader = new AeadChunkReadStream(new MemoryStream(file), key, "db/app.dump");
        var buffer = new byte[plaintext.Length];
        var received = 0;
        var failure = Assert.ThrowsAny<Exception>(() =>
        {
            int read;
            while ((read = reader.Read(buffer, received, buffer.Length - received)) > 0)
            {
                received += read;
            }
        });

        Assert.IsType<PgBackupTools.Engine.Errors.IntegrityException>(failure);
        Assert.Equal(ChunkSize, received);
        Assert.Equal(plaintext[..ChunkSize], buffer[..ChunkSize]);
        Assert.All(buffer[ChunkSize..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task CancelledWriteLeavesFileWithoutFinalChunk()
    {
        using var key = DataKey.Generate();
        using var output = new MemoryStream();
        var writer = new AeadChunkWriteStream(output, key, "db/app.dump", ChunkSize, leaveOpen: true);
        await writer.WriteAsync(Plaintext(ChunkSize));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => writer.WriteAsync(Plaintext(ChunkSize).AsMemory(), cancelled.Token).AsTask());
        await writer.DisposeAsync();

        Assert.Equal(32 + RecordSize, output.Length);
        var error = Assert.Throws<PgBackupTools.Engine.Errors.IntegrityException>(() => Decrypt(output.ToArray(), key));
        Assert.Equal(PgBackupTools.Engine.Errors.IntegrityFailure.Truncated, error.Failure);
    }

    [Theory]
    [InlineData(4095)]
    [InlineData(16 * 1024 * 1024 + 1)]
    public void RejectsChunkSizeOutsideRange(int chunkSize)
    {
        using var key = DataKey.Generate();
        Assert.Throws<ArgumentOutOfRangeException>(() => new AeadChunkWriteStream(new MemoryStream(), key, "f", chunkSize));
    }

    private static int ExpectedFileLength(int size) => 32 + size + (16 * ((size / ChunkSize) + 1));
}
