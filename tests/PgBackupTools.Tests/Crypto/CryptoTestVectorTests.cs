using System.Text;
using PgBackupTools.Engine.Crypto;
using Xunit;
using Xunit.Abstractions;

namespace PgBackupTools.Tests.Crypto;

/// <summary>
/// The test vector published in docs/repository-format.md ("Test vector"). If this test fails, either the code
/// changed the on-disk format or the document is wrong; both must be fixed together.
/// </summary>
public class CryptoTestVectorTests(ITestOutputHelper output)
{
    private static readonly byte[] MasterKeyBytes = Sequence(0x00, 32);
    private static readonly byte[] DataKeyBytes = Sequence(0x20, 32);
    private static readonly byte[] FileSalt = Sequence(0x40, 16);
    private static readonly byte[] DataKeyWrapNonce = Sequence(0x50, 12);
    private static readonly byte[] KdfSalt = Sequence(0x60, 16);
    private static readonly byte[] MasterKeyWrapNonce = Sequence(0x70, 12);
    private static readonly byte[] Plaintext = Encoding.ASCII.GetBytes("PgBackupTools test vector\n");

    private const string Passphrase = "correct horse battery staple";
    private const int Iterations = 1000;
    private const string RepositoryId = "repo-test-vector";
    private const string BackupId = "backup-test-vector";
    private const string FileName = "db/app.dump";

    [Fact]
    public void KeyIdSubkeyAndMac()
    {
        using var master = new MasterKey(MasterKeyBytes);

        AssertHex("e90d82e8db2ef365", master.KeyId);
        AssertHex("819e4d2d26c0c7945402577de0e89d198c1ee0cc493c2c17adf2fdcd37d4739e", Hex(master.DeriveSubkey("manifest mac")));
        AssertHex("5cfcadf670cf4b0986b62997aa96195b7bb790c1066fe584240275f62f21d59a", Hex(master.ComputeMac("{}"u8, "manifest mac")));
    }

    [Fact]
    public void MasterKeyWrappedWithPassphrase()
    {
        using var master = new MasterKey(MasterKeyBytes);
        var kdf = new KdfParameters(KdfParameters.Pbkdf2Sha256, Iterations, KdfSalt);
        var source = KeySource.FromPassphrase(Passphrase);

        Span<byte> kek = stackalloc byte[32];
        source.DeriveKek(kdf, kek);
        AssertHex("c6975bda14560eb6b65a1375cc41032202e86658910b059b12535b1854b28058", Hex(kek));

        var wrapped = master.Wrap(source, kdf, RepositoryId, MasterKeyWrapNonce);

        AssertHex(
            "707172737475767778797a7ba370110723b2ddd43309348c4f6e138216c60e92" +
            "7d8208741b2c4e6c3737512aa3b2c0bbcb3893db7cf839eae2774cdf", Hex(Convert.FromBase64String(wrapped.ToBase64())));
        using var unwrapped = MasterKey.Unwrap(wrapped, source, kdf, RepositoryId);
        Assert.Equal(master.KeyId, unwrapped.KeyId);
    }

    [Fact]
    public void DataKeyWrappedUnderMasterKey()
    {
        using var master = new MasterKey(MasterKeyBytes);
        using var dataKey = new DataKey(DataKeyBytes);

        var wrapped = master.WrapDataKey(dataKey, BackupId, DataKeyWrapNonce);

        AssertHex(
            "505152535455565758595a5b175c1bd401652b6829f26249af97c222060c4638" +
            "de0356ac3e9bcf8a7a43e97613da00965c328785263f9b2b79d35973", Hex(Convert.FromBase64String(wrapped)));
    }

    [Fact]
    public void EncryptedFile()
    {
        using var dataKey = new DataKey(DataKeyBytes);
        using var buffer = new MemoryStream();
        using (var writer = new AeadChunkWriteStream(buffer, dataKey, FileName, 4096, leaveOpen: true, FileSalt))
        {
            writer.Write(Plaintext);
        }

        var file = buffer.ToArray();
        Span<byte> fileKey = stackalloc byte[32];
        dataKey.DeriveFileKey(FileSalt, FileName, fileKey);

        AssertHex("643c681ab62122c49b952f3b5284350ef8efb8db2eddc532f359764df7cd863e", Hex(fileKey));
        AssertHex(
            "50474254454e43310000100000000000404142434445464748494a4b4c4d4e4f" +
            "6ce9f602f0cadbfef8149091ebf220d1eb34b66fc580fad917cc27518de4f143" +
            "1e15e8b68321d425da65", Hex(file));
        Assert.Equal(Plaintext, EncryptedFiles.Decrypt(file, dataKey, FileName));
    }

    [Fact]
    public void KeyFileKek()
    {
        using var dir = new TempDirectory();
        var path = dir.File("vector.key");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.ASCII.GetBytes("pgbackuptools-key-v1\n" + Convert.ToBase64String(Sequence(0x80, 32)) + "\n"));
        }

        Span<byte> kek = stackalloc byte[32];
        KeySource.FromKeyFile(path).DeriveKek(new KdfParameters(KdfParameters.HkdfSha256, 0, KdfSalt), kek);

        AssertHex("5207b84bcc2e2b092af24259f9e4edbd616f62b89ea435515120bfc9664ca32d", Hex(kek));
    }

    [Fact]
    public void TwoChunkEncryptedFile()
    {
        var plaintext = Enumerable.Range(0, 4097).Select(i => (byte)(i % 251)).ToArray();
        using var dataKey = new DataKey(DataKeyBytes);
        using var buffer = new MemoryStream();
        using (var writer = new AeadChunkWriteStream(buffer, dataKey, FileName, 4096, leaveOpen: true, FileSalt))
        {
            writer.Write(plaintext);
        }

        var file = buffer.ToArray();

        Assert.Equal(4161, file.Length);
        AssertHex("4252ef0e814fe70f23d59fc22050ebcf8efb334408a1bc96acc5990749c5d2cf", Hex(System.Security.Cryptography.SHA256.HashData(file)));
        AssertHex("2382c473b5482f5ca7c6036aca1bfd6fc0", Hex(file.AsSpan(file.Length - 17)));
    }

    private void AssertHex(string expected, string actual)
    {
        output.WriteLine($"{expected} = {actual}");
        Assert.Equal(expected, actual);
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private static byte[] Sequence(int start, int length) => Enumerable.Range(start, length).Select(i => (byte)i).ToArray();
}
