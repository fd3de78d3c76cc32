using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Repository;

public sealed class StoredFileWriterCompressedInputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgbt-sfw-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Compress(byte[] plain, CompressionSettings settings)
    {
        using var output = new MemoryStream();
        using (var compressor = Compressors.Compress(output, settings, zstdWorkers: 0))
        {
            compressor.Write(plain);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData(CompressionAlgorithm.Zstd, true)]
    [InlineData(CompressionAlgorithm.Gzip, true)]
    [InlineData(CompressionAlgorithm.None, false)]
    public async Task Stores_compressed_input_as_is_and_reads_back_the_plaintext(CompressionAlgorithm algorithm, bool encrypted)
    {
        var settings = CompressionSettings.Create(algorithm, null);
        var plain = new byte[3_000_000];
        new Random(7).NextBytes(plain.AsSpan(0, 1_000_000));
        var compressed = Compress(plain, settings);
        using var key = encrypted ? DataKey.Generate() : null;

        var writer = StoredFileWriter.ForCompressedInput(_directory, "base.tar", "base", settings, key, 64 * 1024);
        ManifestFile entry;
        await using (writer)
        {
            foreach (var piece in compressed.Chunk(10_000))
            {
                await writer.Input.WriteAsync(piece);
            }

            entry = await writer.CompleteAsync(CancellationToken.None, plain.Length);
        }

        Assert.Equal(plain.Length, entry.PlainBytes);
        Assert.Equal(settings.Name, entry.Compression);
        if (!encrypted)
        {
            Assert.Equal(compressed, await File.ReadAllBytesAsync(Path.Combine(_directory, "base.tar")));
        }

        Assert.Equal(plain, await StoredFileReader.ReadAllAsync(_directory, entry, key, "backup", CancellationToken.None));
    }

    [Fact]
    public async Task Compressed_input_needs_its_plain_size_and_plain_input_refuses_one()
    {
        var settings = CompressionSettings.Default;
        var compressedWriter = StoredFileWriter.ForCompressedInput(_directory, "a", "base", settings, null, 64 * 1024);
        await using (compressedWriter)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => compressedWriter.CompleteAsync(CancellationToken.None));
        }

        var plainWriter = new StoredFileWriter(_directory, "b", "base", settings, null, 64 * 1024);
        await using (plainWriter)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => plainWriter.CompleteAsync(CancellationToken.None, 5));
        }
    }
}
