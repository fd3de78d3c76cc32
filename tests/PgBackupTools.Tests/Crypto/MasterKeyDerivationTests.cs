using System.Text;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using Xunit;

namespace PgBackupTools.Tests.Crypto;

public class MasterKeyDerivationTests
{
    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes("{\"id\":\"b1\"}");

    [Fact]
    public void SubkeysDependOnPurposeAndAreStable()
    {
        using var master = MasterKey.Generate();

        Assert.Equal(32, master.DeriveSubkey("manifest mac").Length);
        Assert.Equal(master.DeriveSubkey("manifest mac"), master.DeriveSubkey("manifest mac"));
        Assert.NotEqual(master.DeriveSubkey("manifest mac"), master.DeriveSubkey("config mac"));
    }

    [Fact]
    public void MacVerifiesOnlyTheSameDataPurposeAndKey()
    {
        using var master = MasterKey.Generate();
        using var other = MasterKey.Generate();
        var mac = master.ComputeMac(Manifest, "manifest mac");
        var altered = (byte[])Manifest.Clone();
        altered[3] ^= 1;
        var truncatedMac = mac[..16];

        Assert.Equal(32, mac.Length);
        Assert.True(master.VerifyMac(Manifest, mac, "manifest mac"));
        Assert.False(master.VerifyMac(altered, mac, "manifest mac"));
        Assert.False(master.VerifyMac(Manifest, mac, "config mac"));
        Assert.False(other.VerifyMac(Manifest, mac, "manifest mac"));
        Assert.False(master.VerifyMac(Manifest, truncatedMac, "manifest mac"));
    }

    [Fact]
    public void WrappedDataKeyUnwrapsAndDecryptsTheBackupsFiles()
    {
        using var master = MasterKey.Generate();
        using var dataKey = DataKey.Generate();
        var plaintext = EncryptedFiles.Plaintext(10_000);
        var file = EncryptedFiles.Encrypt(plaintext, dataKey);

        var wrapped = master.WrapDataKey(dataKey, "20250101T000000Z-1a2b");
        using var unwrapped = master.UnwrapDataKey(wrapped, "20250101T000000Z-1a2b");

        Assert.Equal(60, Convert.FromBase64String(wrapped).Length);
        Assert.Equal(plaintext, EncryptedFiles.Decrypt(file, unwrapped));
    }

    [Fact]
    public void DataKeyWrappedForAnotherBackupIsRejected()
    {
        using var master = MasterKey.Generate();
        using var dataKey = DataKey.Generate();
        var wrapped = master.WrapDataKey(dataKey, "backup-a");

        var error = Assert.Throws<IntegrityException>(() => master.UnwrapDataKey(wrapped, "backup-b"));

        Assert.Equal(IntegrityFailure.ManifestAuthenticationFailed, error.Failure);
        Assert.Equal("manifest.json", error.File);
        Assert.Contains("'backup-b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DataKeyWrappedByAnotherRepositoryIsRejected()
    {
        using var master = MasterKey.Generate();
        using var other = MasterKey.Generate();
        using var dataKey = DataKey.Generate();
        var wrapped = other.WrapDataKey(dataKey, "backup-a");

        var error = Assert.Throws<IntegrityException>(() => master.UnwrapDataKey(wrapped, "backup-a"));
        Assert.Equal(IntegrityFailure.ManifestAuthenticationFailed, error.Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("%%%")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void MalformedWrappedDataKeyIsRejected(string wrapped)
    {
        using var master = MasterKey.Generate();
        var error = Assert.Throws<IntegrityException>(() => master.UnwrapDataKey(wrapped, "backup-a"));
        Assert.Equal(IntegrityFailure.ManifestAuthenticationFailed, error.Failure);
    }

    [Fact]
    public void TamperedWrappedDataKeyIsRejected()
    {
        using var master = MasterKey.Generate();
        using var dataKey = DataKey.Generate();
        var blob = Convert.FromBase64String(master.WrapDataKey(dataKey, "backup-a"));
        blob[^1] ^= 1;

        var error = Assert.Throws<IntegrityException>(() => master.UnwrapDataKey(Convert.ToBase64String(blob), "backup-a"));
        Assert.Equal(IntegrityFailure.ManifestAuthenticationFailed, error.Failure);
    }
}
