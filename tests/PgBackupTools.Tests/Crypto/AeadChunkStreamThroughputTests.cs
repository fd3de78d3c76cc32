using System.Diagnostics;
using PgBackupTools.Engine.Crypto;
using Xunit;
using Xunit.Abstractions;

namespace PgBackupTools.Tests.Crypto;

/// <summary>Prints single-threaded throughput with 1 MiB chunks; asserts the byte count only (round-trip tests cover content), never timing.</summary>
public class AeadChunkStreamThroughputTests(ITestOutputHelper output)
{
    private const int Size = 3200 * WriteSize; // 250 MiB
    private const int WriteSize = 81920; // what Stream.CopyTo uses

    [Fact]
    public async Task MeasuresEncryptAndDecryptThroughput()
    {
        using var key = DataKey.Generate();
        var plaintext = EncryptedFiles.Plaintext(WriteSize);
        using var ciphertext = new MemoryStream(Size + (Size / 1024) + 1024);

        var encrypt = Stopwatch.StartNew();
        await using (var writer = new AeadChunkWriteStream(ciphertext, key, "bench", leaveOpen: true))
        {
            for (var written = 0; written < Size; written += WriteSize)
            {
                await writer.WriteAsync(plaintext);
            }
        }

        encrypt.Stop();

        ciphertext.Position = 0;
        var buffer = new byte[WriteSize];
        long total = 0;
        var decrypt = Stopwatch.StartNew();
        await using (var reader = new AeadChunkReadStream(ciphertext, key, "bench", leaveOpen: true))
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                total += read;
            }
        }

        decrypt.Stop();

        Assert.Equal(Size, total);
        output.WriteLine($"encrypt: {Rate(encrypt)} MB/s, decrypt: {Rate(decrypt)} MB/s ({Size / (1024 * 1024)} MiB in {WriteSize}-byte writes, 1 MiB chunks)");
    }

    private static string Rate(Stopwatch stopwatch) =>
        (Size / 1e6 / stopwatch.Elapsed.TotalSeconds).ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
}
