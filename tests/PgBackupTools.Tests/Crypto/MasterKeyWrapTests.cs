using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using Xunit;

namespace PgBackupTools.Tests.Crypto;

public class MasterKeyWrapTests
{
    private const string RepositoryId = "repo-7f3a";

    [Fact]
    public void PassphraseWrapUnwrapsToTheSameKey()
    {
        using var master = MasterKey.Generate();
        var source = KeySource.FromPassphrase("correct horse battery staple");
        var kdf = TestKdf.Passphrase();

        var wrapped = master.Wrap(source, kdf, RepositoryId);
        using var unwrapped = MasterKey.Unwrap(wrapped, source, kdf, RepositoryId);

        Assert.Equal(master.KeyId, unwrapped.KeyId);
        Assert.Equal(master.DeriveSubkey("manifest mac"), unwrapped.DeriveSubkey("manifest mac"));
    }

    [Fact]
    public void KeyFileWrapUnwrapsToTheSameKey()
    {
        using var dir = new TempDirectory();
        var path = dir.File("repo.key");
        KeyFile.Create(path);
        using var master = MasterKey.Generate();
        var source = KeySource.FromKeyFile(path);
        var kdf = source.CreateKdfParameters();

        var wrapped = master.Wrap(source, kdf, RepositoryId);
        using var unwrapped = MasterKey.Unwrap(wrapped, source, kdf, RepositoryId);

        Assert.Equal(KeySource.KeyFileKind, source.Kind);
        Assert.Equal(KdfParameters.HkdfSha256, kdf.Algorithm);
        Assert.Equal(master.DeriveSubkey("x"), unwrapped.DeriveSubkey("x"));
    }

    [Fact]
    public void AnotherKeyFileIsWrongKey()
    {
        using var dir = new TempDirectory();
        KeyFile.Create(dir.File("a.key"));
        KeyFile.Create(dir.File("b.key"));
        using var master = MasterKey.Generate();
        var kdf = KdfParameters.CreateForKeyFile();
        var wrapped = master.Wrap(KeySource.FromKeyFile(dir.File("a.key")), kdf, RepositoryId);

        var error = Assert.Throws<PgBackupException>(
            () => MasterKey.Unwrap(wrapped, KeySource.FromKeyFile(dir.File("b.key")), kdf, RepositoryId));
        Assert.Equal("WrongKey", error.ErrorId);
    }

    [Fact]
    public void WrongPassphraseIsWrongKey()
    {
        using var master = MasterKey.Generate();
        var kdf = TestKdf.Passphrase();
        var wrapped = master.Wrap(KeySource.FromPassphrase("right"), kdf, RepositoryId);

        var error = Assert.Throws<PgBackupException>(
            () => MasterKey.Unwrap(wrapped, KeySource.FromPassphrase("wrong"), kdf, RepositoryId));

        Assert.Equal("WrongKey", error.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, error.Kind);
        Assert.Contains($"'{RepositoryId}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("right", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrapIsBoundToTheRepositoryId()
    {
        using var master = MasterKey.Generate();
        var source = KeySource.FromPassphrase("pw");
        var kdf = TestKdf.Passphrase();
        var wrapped = master.Wrap(source, kdf, RepositoryId);

        var error = Assert.Throws<PgBackupException>(() => MasterKey.Unwrap(wrapped, source, kdf, "repo-other"));
        Assert.Equal("WrongKey", error.ErrorId);
    }

    [Fact]
    public void TamperedWrappedKeyIsWrongKey()
    {
        using var master = MasterKey.Generate();
        var source = KeySource.FromPassphrase("pw");
        var kdf = TestKdf.Passphrase();
        var blob = Convert.FromBase64String(master.Wrap(source, kdf, RepositoryId).ToBase64());
        blob[20] ^= 0x80;

        var error = Assert.Throws<PgBackupException>(
            () => MasterKey.Unwrap(WrappedMasterKey.FromBase64(Convert.ToBase64String(blob)), source, kdf, RepositoryId));
        Assert.Equal("WrongKey", error.ErrorId);
    }

    [Fact]
    public void KeyIdIsStableAcrossRewrapWithNewPassphrase()
    {
        using var master = MasterKey.Generate();
        var oldSource = KeySource.FromPassphrase("old passphrase");
        var oldKdf = TestKdf.Passphrase();
        var oldWrapped = master.Wrap(oldSource, oldKdf, RepositoryId);

        string rewrappedKeyId;
        var newSource = KeySource.FromPassphrase("new passphrase");
        var newKdf = TestKdf.Passphrase();
        WrappedMasterKey newWrapped;
        using (var unlocked = MasterKey.Unwrap(oldWrapped, oldSource, oldKdf, RepositoryId))
        {
            newWrapped = unlocked.Wrap(newSource, newKdf, RepositoryId);
            rewrappedKeyId = unlocked.KeyId;
        }

        using var reopened = MasterKey.Unwrap(newWrapped, newSource, newKdf, RepositoryId);
        Assert.Equal(master.KeyId, rewrappedKeyId);
        Assert.Equal(master.KeyId, reopened.KeyId);
        Assert.NotEqual(oldWrapped.ToBase64(), newWrapped.ToBase64());
        Assert.Throws<PgBackupException>(() => MasterKey.Unwrap(newWrapped, oldSource, newKdf, RepositoryId));
    }

    [Fact]
    public void KeyIdIsSixteenLowercaseHexDigitsAndDiffersBetweenKeys()
    {
        using var a = MasterKey.Generate();
        using var b = MasterKey.Generate();

        Assert.Matches("^[0-9a-f]{16}$", a.KeyId);
        Assert.NotEqual(a.KeyId, b.KeyId);
    }

    [Fact]
    public void StoredIterationCountIsHonoured()
    {
        using var master = MasterKey.Generate();
        var source = KeySource.FromPassphrase("pw");
        var kdf = TestKdf.Passphrase(iterations: 1000);
        var wrapped = master.Wrap(source, kdf, RepositoryId);

        using (var unwrapped = MasterKey.Unwrap(wrapped, source, kdf with { Iterations = 1000 }, RepositoryId))
        {
            Assert.Equal(master.KeyId, unwrapped.KeyId);
        }

        var error = Assert.Throws<PgBackupException>(
            () => MasterKey.Unwrap(wrapped, source, kdf with { Iterations = 1001 }, RepositoryId));
        Assert.Equal("WrongKey", error.ErrorId);
    }

    [Fact]
    public void StoredSaltIsHonoured()
    {
        using var master = MasterKey.Generate();
        var source = KeySource.FromPassphrase("pw");
        var kdf = TestKdf.Passphrase();
        var wrapped = master.Wrap(source, kdf, RepositoryId);
        var otherSalt = (byte[])kdf.Salt.Clone();
        otherSalt[0] ^= 1;

        Assert.Throws<PgBackupException>(() => MasterKey.Unwrap(wrapped, source, kdf with { Salt = otherSalt }, RepositoryId));
    }

    [Fact]
    public void PassphraseIsNormalisedToNfc()
    {
        using var master = MasterKey.Generate();
        var kdf = TestKdf.Passphrase();
        var wrapped = master.Wrap(KeySource.FromPassphrase("caf\u00e9"), kdf, RepositoryId);

        using var unwrapped = MasterKey.Unwrap(wrapped, KeySource.FromPassphrase("cafe\u0301"), kdf, RepositoryId);
        Assert.Equal(master.KeyId, unwrapped.KeyId);
    }

    [Fact]
    public void KeyFileAgainstPassphraseRepositoryIsWrongKeyNamingWhatIsNeeded()
    {
        using var dir = new TempDirectory();
        KeyFile.Create(dir.File("k"));
        using var master = MasterKey.Generate();
        var kdf = TestKdf.Passphrase();
        var wrapped = master.Wrap(KeySource.FromPassphrase("pw"), kdf, RepositoryId);

        var error = Assert.Throws<PgBackupException>(
            () => MasterKey.Unwrap(wrapped, KeySource.FromKeyFile(dir.File("k")), kdf, RepositoryId));
        Assert.Equal("WrongKey", error.ErrorId);
        Assert.Contains("-Passphrase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyPassphraseIsRejected()
    {
        var error = Assert.Throws<PgBackupException>(() => KeySource.FromPassphrase(""));
        Assert.Equal("PassphraseEmpty", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void DefaultKdfUsesMinimumIterationsAndRandomSalt()
    {
        var a = KdfParameters.CreateDefault();
        var b = KdfParameters.CreateDefault();

        Assert.Equal(600_000, KdfParameters.MinimumIterations);
        Assert.Equal(KdfParameters.Pbkdf2Sha256, a.Algorithm);
        Assert.Equal(KdfParameters.MinimumIterations, a.Iterations);
        Assert.Equal(16, a.Salt.Length);
        Assert.NotEqual(a.Salt, b.Salt);
        Assert.Equal(KdfParameters.Pbkdf2Sha256, KeySource.FromPassphrase("x").CreateKdfParameters().Algorithm);
    }

    [Theory]
    [InlineData(KdfParameters.Pbkdf2Sha256, 0, 16)]
    [InlineData(KdfParameters.Pbkdf2Sha256, 1000, 8)]
    [InlineData(KdfParameters.HkdfSha256, 5, 16)]
    [InlineData("scrypt", 1000, 16)]
    [InlineData(KdfParameters.Pbkdf2Sha256, KdfParameters.MaximumIterations + 1, 16)]
    public void InvalidKdfParametersAreRejectedBeforeDerivation(string algorithm, int iterations, int saltLength)
    {
        using var master = MasterKey.Generate();
        var wrapped = master.Wrap(KeySource.FromPassphrase("pw"), TestKdf.Passphrase(), RepositoryId);
        var kdf = new KdfParameters(algorithm, iterations, new byte[saltLength]);

        var error = Assert.Throws<PgBackupException>(
            () => MasterKey.Unwrap(wrapped, KeySource.FromPassphrase("pw"), kdf, RepositoryId));
        Assert.Equal("KdfParametersInvalid", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
    }

    [Fact]
    public void WrappedMasterKeyRoundTripsThroughBase64As60Bytes()
    {
        using var master = MasterKey.Generate();
        var wrapped = master.Wrap(KeySource.FromPassphrase("pw"), TestKdf.Passphrase(), RepositoryId);

        var text = wrapped.ToBase64();
        var parsed = WrappedMasterKey.FromBase64(text);

        Assert.Equal(60, Convert.FromBase64String(text).Length);
        Assert.Equal(wrapped.Nonce, parsed.Nonce);
        Assert.Equal(wrapped.Ciphertext, parsed.Ciphertext);
        Assert.Equal(wrapped.Tag, parsed.Tag);
        byte[] concatenated = [.. parsed.Nonce, .. parsed.Ciphertext, .. parsed.Tag];
        Assert.Equal(Convert.FromBase64String(text), concatenated);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void MalformedWrappedMasterKeyIsRejected(string text)
    {
        var error = Assert.Throws<PgBackupException>(() => WrappedMasterKey.FromBase64(text));
        Assert.Equal("WrappedKeyInvalid", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
    }

    [Fact]
    public void DisposedMasterKeyCannotBeUsed()
    {
        var master = MasterKey.Generate();
        master.Dispose();
        Assert.Throws<ObjectDisposedException>(() => master.DeriveSubkey("x"));
    }
}
