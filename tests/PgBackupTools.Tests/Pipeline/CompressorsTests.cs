using PgBackupTools.Engine.Pipeline;
using Xunit;

namespace PgBackupTools.Tests.Pipeline;

public class CompressorsTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    [InlineData(8, 4)]
    [InlineData(64, 4)]
    public void ZstdCompressesInlineOnSmallMachinesAndOnHalfTheCoresOfLargerOnes(int cores, int workers) =>
        Assert.Equal(workers, Compressors.ZstdWorkers(cores));

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 2)]
    [InlineData(16, 2)]
    public void AWalSegmentIsCompressedOnTwoCoresWhereThereAreTwo(int cores, int workers) =>
        Assert.Equal(workers, Compressors.WalZstdWorkers(cores));

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void ZstdWithWorkersRoundTripsAcrossItsJobs(int workers)
    {
        // 16 MiB, several of zstd's multi-threaded jobs, as a WAL segment would be.
        var original = new byte[16 << 20];
        var random = new Random(11);
        for (var i = 0; i < original.Length; i += 8192)
        {
            random.NextBytes(original.AsSpan(i, 512));
        }

        using var stored = new MemoryStream();
        using (var compressor = Compressors.Compress(stored, new CompressionSettings(CompressionAlgorithm.Zstd, 1), workers))
        {
            for (var offset = 0; offset < original.Length; offset += 1 << 20)
            {
                compressor.Write(original, offset, 1 << 20);
            }
        }

        stored.Position = 0;
        using var decompressor = Compressors.Decompress(stored, CompressionAlgorithm.Zstd);
        using var restored = new MemoryStream();
        decompressor.CopyTo(restored);
        Assert.Equal(original, restored.ToArray());
        Assert.True(stored.Length < original.Length / 4, $"stored {stored.Length} of {original.Length} bytes.");
    }

    [Theory]
    [InlineData(CompressionAlgorithm.Zstd, 1)]
    [InlineData(CompressionAlgorithm.Zstd, 19)]
    [InlineData(CompressionAlgorithm.Gzip, 6)]
    [InlineData(CompressionAlgorithm.None, 0)]
    public void EveryAlgorithmRoundTripsDataWrittenInUnevenPieces(CompressionAlgorithm algorithm, int level)
    {
        var random = new Random(7);
        var original = new byte[3 << 20];
        for (var i = 0; i < original.Length; i += 4096)
        {
            random.NextBytes(original.AsSpan(i, Math.Min(1024, original.Length - i)));
        }

        using var stored = new MemoryStream();
        using (var compressor = Compressors.Compress(stored, new CompressionSettings(algorithm, level)))
        {
            for (int offset = 0, piece = 1; offset < original.Length; offset += piece, piece = piece * 3 % 200_003 + 1)
            {
                compressor.Write(original, offset, Math.Min(piece, original.Length - offset));
            }
        }

        stored.Position = 0;
        using var decompressor = Compressors.Decompress(stored, algorithm);
        using var restored = new MemoryStream();
        decompressor.CopyTo(restored);
        Assert.Equal(original, restored.ToArray());
        if (algorithm != CompressionAlgorithm.None)
        {
            Assert.True(stored.Length < original.Length / 2, $"{algorithm} stored {stored.Length} of {original.Length} bytes.");
        }
    }
}
