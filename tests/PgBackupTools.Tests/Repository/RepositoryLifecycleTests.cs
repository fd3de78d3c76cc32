using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Repository;

public class RepositoryLifecycleTests
{
    [Fact]
    public void InitializeCreatesPrivateConfigAndRefusesASecondTime()
    {
        using var repo = new TestRepository();
        Assert.True(repo.Info.Encrypted);
        Assert.Equal("KeyFile", repo.Info.KeySource);
        Assert.Matches("^[0-9a-f]{16}$", repo.Info.KeyId);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(repo.Path_, "config.json")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(repo.Path_));
        }

        var again = Assert.Throws<PgBackupException>(() => BackupRepository.Initialize(repo.Path_, repo.Key, TimeProvider.System));
        Assert.Equal("RepositoryAlreadyInitialized", again.ErrorId);
    }

    [Fact]
    public void OpeningAMissingOrUninitialisedFolderSaysWhatToDo()
    {
        var missing = Assert.Throws<PgBackupException>(() => BackupRepository.Open(Path.Combine(Path.GetTempPath(), "pgbt-none-" + Guid.NewGuid())));
        Assert.Equal("RepositoryNotFound", missing.ErrorId);
        Assert.Contains("Initialize-PgBackupRepository", missing.Message);

        var empty = Directory.CreateTempSubdirectory("pgbt-empty-");
        try
        {
            var notInit = Assert.Throws<PgBackupException>(() => BackupRepository.Open(empty.FullName));
            Assert.Equal("RepositoryNotInitialized", notInit.ErrorId);
        }
        finally
        {
            empty.Delete(true);
        }
    }

    [Fact]
    public void EncryptedRepositoryRefusesToWorkWithoutTheRightKey()
    {
        using var repo = new TestRepository();
        using var session = BackupRepository.Open(repo.Path_);
        Assert.Equal("RepositoryKeyRequired", Assert.Throws<PgBackupException>(() => session.Unlock(null)).ErrorId);

        var otherKey = Path.Combine(Path.GetDirectoryName(repo.KeyFilePath)!, "other.key");
        KeyFile.Create(otherKey);
        var wrong = Assert.Throws<PgBackupException>(() => session.Unlock(KeySource.FromKeyFile(otherKey)));
        Assert.Equal("WrongKey", wrong.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, wrong.Kind);

        Assert.Equal("WrongKeyKind", Assert.Throws<PgBackupException>(() => session.Unlock(KeySource.FromPassphrase("a passphrase"))).ErrorId);
        Assert.False(session.IsUnlocked);
        Assert.Throws<InvalidOperationException>(() => PendingBackup.Begin(session, BackupId.New(DateTimeOffset.UtcNow), []));
    }

    [Fact]
    public void UnencryptedRepositoryRefusesAKeySoNobodyBelievesItIsEncrypted()
    {
        using var repo = new TestRepository(encrypted: false);
        using var session = BackupRepository.Open(repo.Path_);
        var ex = Assert.Throws<PgBackupException>(() => session.Unlock(KeySource.FromPassphrase("secret")));
        Assert.Equal("RepositoryNotEncrypted", ex.ErrorId);
    }

    [Fact]
    public void PassphraseRepositoryUsesAtLeast600000Pbkdf2Iterations()
    {
        var root = Directory.CreateTempSubdirectory("pgbt-pass-");
        try
        {
            var info = BackupRepository.Initialize(Path.Combine(root.FullName, "r"), KeySource.FromPassphrase("correct horse battery staple"), TimeProvider.System);
            using var session = BackupRepository.Open(info.Path);
            Assert.Equal("PBKDF2-SHA256", session.Config.Encryption!.Kdf.Algorithm);
            Assert.True(session.Config.Encryption.Kdf.Iterations >= 600_000);
            Assert.Equal("WrongKey", Assert.Throws<PgBackupException>(() => session.Unlock(KeySource.FromPassphrase("wrong horse"))).ErrorId);
            session.Unlock(KeySource.FromPassphrase("correct horse battery staple"));
            Assert.True(session.IsUnlocked);
        }
        finally
        {
            root.Delete(true);
        }
    }

    [Fact]
    public async Task ChangingTheKeyRewrapsOnlyTheMasterKeyAndBackupsStayReadable()
    {
        using var repo = new TestRepository();
        var dump = TestRepository.SampleDump(20_000);
        var id = await repo.WriteBackupAsync(dump);
        var dumpBytesBefore = File.ReadAllBytes(repo.BackupFile(id, "database.pgdump.zst"));

        using (var session = repo.OpenUnlocked())
        {
            var info = session.ChangeKey(KeySource.FromPassphrase("new passphrase 123"));
            Assert.Equal(repo.Info.KeyId, info.KeyId);
            Assert.Equal("Passphrase", info.KeySource);
        }

        using var reopened = BackupRepository.Open(repo.Path_);
        Assert.Equal("WrongKeyKind", Assert.Throws<PgBackupException>(() => reopened.Unlock(repo.Key)).ErrorId);
        reopened.Unlock(KeySource.FromPassphrase("new passphrase 123"));
        var stored = ManifestStore.Load(reopened, id);
        using var dataKey = reopened.Master!.UnwrapDataKey(stored.Manifest.Encryption!.WrappedDataKey, id);
        var restored = await StoredFileReader.ReadAllAsync(stored.Directory, stored.Manifest.FindFile("dump")!, dataKey, id, CancellationToken.None);
        Assert.Equal(dump, restored);
        Assert.Equal(dumpBytesBefore, File.ReadAllBytes(repo.BackupFile(id, "database.pgdump.zst")));
    }

    [Fact]
    public void AlteredConfigIsDetectedOnUnlock()
    {
        using var repo = new TestRepository();
        var configPath = Path.Combine(repo.Path_, "config.json");
        var text = File.ReadAllText(configPath).Replace("\"chunkSize\": 4096", "\"chunkSize\": 8192");
        File.WriteAllText(configPath, text);
        using var session = BackupRepository.Open(repo.Path_);
        var ex = Assert.Throws<IntegrityException>(() => session.Unlock(repo.Key));
        Assert.Equal(IntegrityFailure.ConfigAuthenticationFailed, ex.Failure);
    }
}
