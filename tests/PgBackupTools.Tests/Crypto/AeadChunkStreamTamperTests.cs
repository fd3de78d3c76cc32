using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using Xunit;
using static PgBackupTools.Tests.Crypto.EncryptedFiles;

namespace PgBackupTools.Tests.Crypto;

/// <summary>A file of three full chunks (0..2) and a 100-byte final chunk (3), each tampered with one way.</summary>
public sealed class AeadChunkStreamTamperTests : IDisposable
{
    private const string FileName = "db/app.dump";
    private static readonly int FinalChunkOffset = ChunkOffset(3);

    private readonly DataKey _key = DataKey.Generate();
    private readonly byte[] _plaintext = Plaintext((3 * ChunkSize) + 100);
    private readonly byte[] _file;

    public AeadChunkStreamTamperTests() => _file = Encrypt(_plaintext, _key, FileName);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void UntamperedFileDecrypts() => Assert.Equal(_plaintext, Decrypt(_file, _key, FileName));

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void FlippedMagicIsBadHeader(int offset) => AssertFails(Flip(_file, offset), IntegrityFailure.BadHeader, chunk: null);

    [Theory]
    [InlineData(12)]
    [InlineData(15)]
    public void FlippedReservedByteIsBadHeader(int offset) => AssertFails(Flip(_file, offset), IntegrityFailure.BadHeader, chunk: null);

    [Fact]
    public void ChunkSizeOutOfRangeIsBadHeader()
    {
        var file = (byte[])_file.Clone();
        file[8] = 0x7f;
        AssertFails(file, IntegrityFailure.BadHeader, chunk: null);
    }

    [Fact]
    public void ChangedChunkSizeInRangeFailsAuthentication()
    {
        var file = (byte[])_file.Clone();
        file[10] = 0x20; // 4096 -> 8192: still a valid size, but the header is the AAD of every chunk
        AssertFails(file, IntegrityFailure.ChunkAuthenticationFailed, chunk: 0);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    public void FlippedSaltFailsAuthentication(int offset) =>
        AssertFails(Flip(_file, offset), IntegrityFailure.ChunkAuthenticationFailed, chunk: 0);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 100)]
    [InlineData(2, ChunkSize + 3)] // in the tag
    [InlineData(3, 50)] // in the final chunk
    public void FlippedChunkByteFailsAuthentication(int chunk, int offsetInChunk) =>
        AssertFails(Flip(_file, ChunkOffset(chunk) + offsetInChunk), IntegrityFailure.ChunkAuthenticationFailed, chunk);

    [Fact]
    public void TruncationInsideATagIsTruncated() =>
        AssertFails(_file[..(ChunkOffset(1) + 10)], IntegrityFailure.Truncated, chunk: 1);

    [Fact]
    public void TruncationInsideChunkDataFailsAuthenticationAndSaysSo()
    {
        // A cut inside chunk data looks exactly like a damaged final chunk; the message names both.
        var error = AssertFails(_file[..(ChunkOffset(1) + 2000)], IntegrityFailure.ChunkAuthenticationFailed, chunk: 1);
        Assert.Contains("ends inside this chunk", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TruncationAtChunkBoundaryIsTruncated(int chunksKept) =>
        AssertFails(_file[..ChunkOffset(chunksKept)], IntegrityFailure.Truncated, chunk: chunksKept);

    [Fact]
    public void MissingFinalChunkOfExactMultipleIsTruncated()
    {
        var file = Encrypt(Plaintext(2 * ChunkSize), _key, FileName);
        Assert.Equal(ChunkOffset(2) + TagSize, file.Length);
        AssertFails(file[..ChunkOffset(2)], IntegrityFailure.Truncated, chunk: 2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(32)]
    public void TruncationInOrRightAfterHeaderIsTruncated(int length) =>
        AssertFails(_file[..length], IntegrityFailure.Truncated, chunk: length == 32 ? 0 : null);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(5000)] // more than a whole chunk record of extra bytes
    public void AppendedBytesAreTrailingData(int extra)
    {
        var file = _file.Concat(Plaintext(extra, seed: 7)).ToArray();
        AssertFails(file, IntegrityFailure.TrailingData, chunk: 3);
    }

    [Fact]
    public void AppendedBytesAfterEmptyFinalChunkAreTrailingData()
    {
        var file = Encrypt(Plaintext(2 * ChunkSize), _key, FileName).Concat(new byte[] { 0 }).ToArray();
        AssertFails(file, IntegrityFailure.TrailingData, chunk: 2);
    }

    [Fact]
    public void SwappedChunksFailAuthentication()
    {
        var file = (byte[])_file.Clone();
        _file.AsSpan(ChunkOffset(0), RecordSize).CopyTo(file.AsSpan(ChunkOffset(1)));
        _file.AsSpan(ChunkOffset(1), RecordSize).CopyTo(file.AsSpan(ChunkOffset(0)));
        AssertFails(file, IntegrityFailure.ChunkAuthenticationFailed, chunk: 0);
    }

    [Fact]
    public void DroppedChunkFailsAuthentication()
    {
        var file = _file[..ChunkOffset(1)].Concat(_file[ChunkOffset(2)..]).ToArray();
        AssertFails(file, IntegrityFailure.ChunkAuthenticationFailed, chunk: 1);
    }

    [Fact]
    public void ChunkFromAnotherFileOfTheSameBackupFailsAuthentication()
    {
        var other = Encrypt(_plaintext, _key, "db/other.dump");
        var file = (byte[])_file.Clone();
        other.AsSpan(ChunkOffset(1), RecordSize).CopyTo(file.AsSpan(ChunkOffset(1)));
        AssertFails(file, IntegrityFailure.ChunkAuthenticationFailed, chunk: 1);
    }

    [Fact]
    public void ChunkFromAnotherFileWithItsHeaderStillFailsUnderThisName()
    {
        // Same key, same salt would be needed for a chunk to move; here the whole file is renamed.
        AssertFails(_file, IntegrityFailure.ChunkAuthenticationFailed, chunk: 0, fileName: "db/renamed.dump");
    }

    [Fact]
    public void ChunkFromAnotherBackupFailsAuthentication()
    {
        using var otherKey = DataKey.Generate();
        var other = Encrypt(_plaintext, otherKey, FileName);
        var file = (byte[])_file.Clone();
        other.AsSpan(ChunkOffset(2), RecordSize).CopyTo(file.AsSpan(ChunkOffset(2)));
        AssertFails(file, IntegrityFailure.ChunkAuthenticationFailed, chunk: 2);
    }

    [Fact]
    public void FinalChunkFromAnotherFileFailsAuthentication()
    {
        var other = Encrypt(_plaintext, _key, "db/other.dump");
        var file = _file[..FinalChunkOffset].Concat(other[FinalChunkOffset..]).ToArray();
        AssertFails(file, IntegrityFailure.ChunkAuthenticationFailed, chunk: 3);
    }

    [Fact]
    public void WrongDataKeyFailsAuthentication()
    {
        using var wrong = DataKey.Generate();
        var error = Assert.Throws<IntegrityException>(() => Decrypt(_file, wrong, FileName));
        Assert.Equal(IntegrityFailure.ChunkAuthenticationFailed, error.Failure);
        Assert.Equal(0, error.ChunkIndex);
    }

    [Fact]
    public void WrongDataKeyOnEmptyFileFailsAuthentication()
    {
        using var wrong = DataKey.Generate();
        var file = Encrypt([], _key, FileName);
        var error = Assert.Throws<IntegrityException>(() => Decrypt(file, wrong, FileName));
        Assert.Equal(IntegrityFailure.ChunkAuthenticationFailed, error.Failure);
    }

    [Fact]
    public async Task AsyncReaderReportsTheSameFailure()
    {
        var file = _file[..ChunkOffset(2)];
        await using var reader = new AeadChunkReadStream(new TrickleReadStream(file), _key, FileName);
        var error = await Assert.ThrowsAsync<IntegrityException>(() => reader.CopyToAsync(Stream.Null));
        Assert.Equal(IntegrityFailure.Truncated, error.Failure);
        Assert.Equal(2, error.ChunkIndex);
    }

    private IntegrityException AssertFails(byte[] file, IntegrityFailure expected, int? chunk, string fileName = FileName)
    {
        var error = Assert.Throws<IntegrityException>(() => Decrypt(file, _key, fileName));
        Assert.Equal(expected, error.Failure);
        Assert.Equal(fileName, error.File);
        Assert.Equal(chunk, error.ChunkIndex);
        Assert.Contains(fileName, error.Message, StringComparison.Ordinal);
        if (chunk is not null)
        {
            Assert.Contains($"chunk {chunk.Value}", error.Message, StringComparison.OrdinalIgnoreCase);
        }

        return error;
    }

    private static byte[] Flip(byte[] file, int offset)
    {
        var copy = (byte[])file.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }
}
