using System.Diagnostics;
using System.Security.Cryptography;
using PgBackupTools.Engine.Crypto;
using Xunit;
using Xunit.Abstractions;

namespace PgBackupTools.Tests.Crypto;

/// <summary>
/// Prints single-threaded throughput with 1 MiB chunks next to bare AesGcm on the same machine, so stream
/// overhead is visible. Asserts byte counts only (round-trip tests cover content), never timing.
/// </summary>
public class AeadChunkStreamThroughputTests(ITestOutputHelper output)
{
    private const int WriteSize = 81920; // what Stream.CopyTo uses
    private const int Size = 3200 * WriteSize; // 250 MiB
    private const int ChunkSize = AeadChunkWriteStream.DefaultChunkSize;

    [Fact]
    public void MeasuresEncryptAndDecryptThroughput()
    {
        using var key = DataKey.Generate();
        var plaintext = EncryptedFiles.Plaintext(WriteSize);

        // Encrypt to Stream.Null: writing into a fresh 250 MiB MemoryStream mostly measures page faults.
        var encrypt = Stopwatch.StartNew();
        long ciphertextBytes;
        using (var writer = new AeadChunkWriteStream(Stream.Null, key, "bench"))
        {
            WriteAll(writer, plaintext);
            writer.Dispose();
            ciphertextBytes = writer.CiphertextBytes;
        }

        encrypt.Stop();

        using var ciphertext = new MemoryStream();
        using (var writer = new AeadChunkWriteStream(ciphertext, key, "bench", leaveOpen: true))
        {
            WriteAll(writer, plaintext);
        }

        ciphertext.Position = 0;
        var buffer = new byte[WriteSize];
        long total = 0;
        var decrypt = Stopwatch.StartNew();
        using (var reader = new AeadChunkReadStream(ciphertext, key, "bench", leaveOpen: true))
        {
            int read;
            while ((read = reader.Read(buffer)) > 0)
            {
                total += read;
            }
        }

        decrypt.Stop();

        Assert.Equal(Size, total);
        Assert.Equal(ciphertext.Length, ciphertextBytes);
        output.WriteLine(
            $"stream encrypt: {Rate(encrypt.Elapsed)} MB/s, stream decrypt: {Rate(decrypt.Elapsed)} MB/s, " +
            $"bare AesGcm.Encrypt: {Rate(BareAesGcm())} MB/s ({Size / (1024 * 1024)} MiB, {WriteSize}-byte writes, 1 MiB chunks)");
    }

    private static void WriteAll(Stream writer, byte[] piece)
    {
        for (var written = 0; written < Size; written += piece.Length)
        {
            writer.Write(piece);
        }
    }

    private static TimeSpan BareAesGcm()
    {
        using var aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        var plaintext = new byte[ChunkSize];
        var ciphertext = new byte[ChunkSize];
        var tag = new byte[16];
        var nonce = new byte[12];
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < Size / ChunkSize; i++)
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        }

        return stopwatch.Elapsed;
    }

    private static string Rate(TimeSpan elapsed) =>
        (Size / 1e6 / elapsed.TotalSeconds).ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
}
