using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Repository;

/// <summary>Every way stored bytes can be changed is caught, with an error naming the file.</summary>
public class TamperDetectionTests
{
    private const string DumpFile = "database.pgdump.zst";

    [Fact]
    public async Task FlippedByteInsideTheDumpFails()
    {
        using var repo = new TestRepository();
        var id = await repo.WriteBackupAsync(TestRepository.SampleDump(60_000));
        Flip(repo.BackupFile(id, DumpFile), 5000);
        var ex = await Assert.ThrowsAsync<IntegrityException>(() => repo.ReadDumpAsync(id));
        Assert.Equal(IntegrityFailure.ChunkAuthenticationFailed, ex.Failure);
        Assert.Contains(DumpFile, ex.File);
    }

    [Fact]
    public async Task FlippedByteInUnencryptedDumpFailsTheChecksum()
    {
        using var repo = new TestRepository(encrypted: false);
        var id = await repo.WriteBackupAsync(TestRepository.SampleDump(60_000));
        Flip(repo.BackupFile(id, DumpFile), 3000);
        var ex = await Assert.ThrowsAsync<IntegrityException>(() => repo.ReadDumpAsync(id));
        Assert.Equal(IntegrityFailure.ChecksumMismatch, ex.Failure);
        Assert.Contains(DumpFile, ex.File);
    }

    [Fact]
    public async Task TruncatedOrExtendedDumpFailsBeforeAnyPlaintextIsUsed()
    {
        using var repo = new TestRepository();
        var id = await repo.WriteBackupAsync(TestRepository.SampleDump(60_000));
        var path = repo.BackupFile(id, DumpFile);
        var original = File.ReadAllBytes(path);

        File.WriteAllBytes(path, original[..^100]);
        Assert.Equal(IntegrityFailure.SizeMismatch, (await Assert.ThrowsAsync<IntegrityException>(() => repo.ReadDumpAsync(id))).Failure);

        File.WriteAllBytes(path, [.. original, 1, 2, 3]);
        Assert.Equal(IntegrityFailure.SizeMismatch, (await Assert.ThrowsAsync<IntegrityException>(() => repo.ReadDumpAsync(id))).Failure);
    }

    [Fact]
    public async Task ManifestEditIsCaught()
    {
        using var repo = new TestRepository();
        var id = await repo.WriteBackupAsync(TestRepository.SampleDump(10_000));
        var manifest = repo.BackupFile(id, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"database\": \"db\"", "\"database\": \"dc\""));
        using var session = repo.OpenUnlocked();
        var ex = Assert.Throws<IntegrityException>(() => ManifestStore.Load(session, id));
        Assert.Equal(IntegrityFailure.ManifestAuthenticationFailed, ex.Failure);
    }

    [Fact]
    public async Task AFileSwappedInFromAnotherBackupIsCaught()
    {
        using var repo = new TestRepository();
        var dump = TestRepository.SampleDump(30_000);
        var first = await repo.WriteBackupAsync(dump);
        var second = await repo.WriteBackupAsync(dump);

        // Same size (same content, same chunking) but a different data key: the chunks must not authenticate.
        File.Copy(repo.BackupFile(first, DumpFile), repo.BackupFile(second, DumpFile), overwrite: true);
        Assert.Equal(new FileInfo(repo.BackupFile(first, DumpFile)).Length, new FileInfo(repo.BackupFile(second, DumpFile)).Length);
        var ex = await Assert.ThrowsAsync<IntegrityException>(() => repo.ReadDumpAsync(second));
        Assert.Equal(IntegrityFailure.ChunkAuthenticationFailed, ex.Failure);
    }

    [Fact]
    public async Task AManifestCopiedFromAnotherBackupIsCaught()
    {
        using var repo = new TestRepository();
        var first = await repo.WriteBackupAsync(TestRepository.SampleDump(1000));
        var second = await repo.WriteBackupAsync(TestRepository.SampleDump(1000));
        File.Copy(repo.BackupFile(first, "manifest.json"), repo.BackupFile(second, "manifest.json"), overwrite: true);
        File.Copy(repo.BackupFile(first, "manifest.mac"), repo.BackupFile(second, "manifest.mac"), overwrite: true);
        using var session = repo.OpenUnlocked();
        Assert.Equal(IntegrityFailure.ManifestAuthenticationFailed, Assert.Throws<IntegrityException>(() => ManifestStore.Load(session, second)).Failure);
    }

    [Fact]
    public async Task AMissingFileIsNamed()
    {
        using var repo = new TestRepository();
        var id = await repo.WriteBackupAsync(TestRepository.SampleDump(1000));
        File.Delete(repo.BackupFile(id, DumpFile));
        var ex = await Assert.ThrowsAsync<IntegrityException>(() => repo.ReadDumpAsync(id));
        Assert.Equal(IntegrityFailure.MissingFile, ex.Failure);
        Assert.Contains(DumpFile, ex.Message);
    }

    private static void Flip(string path, int offset)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }
}
