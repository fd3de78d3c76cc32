using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Wal;
using PgBackupTools.Tests.Crypto;
using PgBackupTools.Tests.Repository;
using Xunit;

namespace PgBackupTools.Tests.Wal;

public sealed class WalArchiveTests : IDisposable
{
    private readonly TestRepository _repository;
    private readonly TempDirectory _pgWal = new();
    private readonly List<IDisposable> _sessions = [];

    public WalArchiveTests() => _repository = new TestRepository();

    public static TheoryData<bool, CompressionAlgorithm> Formats => new()
    {
        { true, CompressionAlgorithm.Zstd },
        { true, CompressionAlgorithm.Gzip },
        { true, CompressionAlgorithm.None },
        { false, CompressionAlgorithm.Zstd },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_pushed_segment_comes_back_byte_for_byte(bool encrypted, CompressionAlgorithm algorithm)
    {
        using var repository = new TestRepository(encrypted);
        var source = SyntheticWal.WriteSegment(_pgWal.Path, 1, 7);
        using var session = repository.OpenUnlocked();
        using var archive = WalArchive.Open(session, SyntheticWal.SystemId);

        var pushed = await WalPush.PushAsync(archive, source, SyntheticWal.Name(1, 7), CompressionSettings.Create(algorithm, null), TimeProvider.System, default);
        var target = _pgWal.File("RECOVERYXLOG");
        var fetched = await WalFetch.FetchAsync(archive, SyntheticWal.Name(1, 7), target, default);

        Assert.Equal(WalPushResult.Stored, pushed);
        Assert.Equal(WalFetchResult.Restored, fetched);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(target));
        var stored = Assert.Single(archive.List());
        Assert.Equal(encrypted, stored.Encrypted);
        Assert.Equal(algorithm, stored.Compression);
        Assert.Equal(SyntheticWal.SegmentSize, archive.Info!.WalSegmentSize);
        Assert.DoesNotContain(Directory.EnumerateFiles(_pgWal.Path), f => Path.GetFileName(f).StartsWith(".pgbt-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Encrypted_segments_do_not_contain_their_plaintext()
    {
        var source = SyntheticWal.WriteSegment(_pgWal.Path, 1, 7);
        using var archive = Open();
        await Push(archive, source, SyntheticWal.Name(1, 7), CompressionAlgorithm.None);
        var stored = File.ReadAllBytes(archive.List().Single().Path);
        var plain = File.ReadAllBytes(source);
        Assert.Equal(-1, stored.AsSpan().IndexOf(plain.AsSpan(64, 64)));
    }

    [Fact]
    public async Task An_identical_re_push_succeeds_and_stores_nothing_new()
    {
        var source = SyntheticWal.WriteSegment(_pgWal.Path, 1, 7);
        using var archive = Open();
        Assert.Equal(WalPushResult.Stored, await Push(archive, source, SyntheticWal.Name(1, 7)));
        Assert.Equal(WalPushResult.AlreadyArchived, await Push(archive, source, SyntheticWal.Name(1, 7), CompressionAlgorithm.Gzip));
        Assert.Single(archive.List());
        AssertNoTemporaryFiles(archive);
    }

    [Fact]
    public async Task A_different_segment_under_an_archived_name_is_refused_and_the_original_kept()
    {
        var first = SyntheticWal.WriteSegment(_pgWal.Path, 1, 7);
        using var archive = Open();
        await Push(archive, first, SyntheticWal.Name(1, 7));
        var original = archive.List().Single();

        using var other = new TempDirectory();
        var second = SyntheticWal.WriteSegment(other.Path, 1, 7, seed: 99);
        var error = await Assert.ThrowsAsync<PgBackupException>(() => Push(archive, second, SyntheticWal.Name(1, 7)));

        Assert.Equal("WalFileConflict", error.ErrorId);
        Assert.Equal(original, archive.List().Single());
        AssertNoTemporaryFiles(archive);
    }

    [Fact]
    public async Task A_file_that_is_not_the_named_segment_is_refused_before_anything_is_stored()
    {
        var source = SyntheticWal.WriteSegment(_pgWal.Path, 1, 7);
        using var archive = Open();
        var wrongName = await Assert.ThrowsAsync<PgBackupException>(() => Push(archive, source, SyntheticWal.Name(1, 8)));
        var notWal = _pgWal.File("junk");
        File.WriteAllBytes(notWal, new byte[SyntheticWal.SegmentSize]);
        var garbage = await Assert.ThrowsAsync<PgBackupException>(() => Push(archive, notWal, SyntheticWal.Name(1, 9)));
        var badName = await Assert.ThrowsAsync<PgBackupException>(() => Push(archive, source, "../000000010000000000000007"));

        Assert.Equal("WalFileInvalid", wrongName.ErrorId);
        Assert.Equal("WalFileInvalid", garbage.ErrorId);
        Assert.Equal("WalFileNameInvalid", badName.ErrorId);
        Assert.Empty(archive.List());
    }

    [Fact]
    public async Task A_segment_of_another_cluster_is_refused()
    {
        var path = _pgWal.File(SyntheticWal.Name(1, 7));
        File.WriteAllBytes(path, SyntheticWal.Segment(1, 7, systemId: 12345));
        using var archive = Open();
        var error = await Assert.ThrowsAsync<PgBackupException>(() => Push(archive, path, SyntheticWal.Name(1, 7)));
        Assert.Contains("12345", error.Message);
    }

    [Fact]
    public async Task History_files_are_archived_and_fetched()
    {
        var path = _pgWal.File("00000002.history");
        await File.WriteAllTextAsync(path, "1\t0/5000128\tno recovery target specified\n");
        using var archive = Open();
        await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, 4), SyntheticWal.Name(1, 4));
        await Push(archive, path, "00000002.history");

        var target = _pgWal.File("RECOVERYHISTORY");
        Assert.Equal(WalFetchResult.Restored, await WalFetch.FetchAsync(archive, "00000002.history", target, default));
        Assert.Equal(File.ReadAllText(path), File.ReadAllText(target));
        Assert.Equal(WalFetchResult.NotFound, await WalFetch.FetchAsync(archive, "00000003.history", target, default));
    }

    [Fact]
    public async Task A_missing_segment_is_the_end_of_the_archive_unless_later_ones_exist()
    {
        using var archive = Open();
        foreach (var segment in new ulong[] { 3, 4, 6 })
        {
            await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, segment), SyntheticWal.Name(1, segment));
        }

        var target = _pgWal.File("RECOVERYXLOG");
        Assert.Equal(WalFetchResult.Gap, await WalFetch.FetchAsync(archive, SyntheticWal.Name(1, 5), target, default));
        Assert.Equal(WalFetchResult.NotFound, await WalFetch.FetchAsync(archive, SyntheticWal.Name(1, 7), target, default));
        Assert.Equal(WalFetchResult.NotFound, await WalFetch.FetchAsync(archive, SyntheticWal.Name(2, 5), target, default));
        Assert.False(File.Exists(target));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("append")]
    [InlineData("rename")]
    public async Task A_damaged_segment_is_never_handed_to_postgres(string damage)
    {
        using var archive = Open();
        await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, 5), SyntheticWal.Name(1, 5));
        await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, 6), SyntheticWal.Name(1, 6));
        var stored = archive.List().Single(f => f.Name.SegmentNumber == 5);
        var bytes = File.ReadAllBytes(stored.Path);
        switch (damage)
        {
            case "flip":
                bytes[bytes.Length / 2] ^= 0x01;
                File.WriteAllBytes(stored.Path, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(stored.Path, bytes[..(bytes.Length - 100)]);
                break;
            case "append":
                File.WriteAllBytes(stored.Path, [.. bytes, 1, 2, 3]);
                break;
            case "rename":
                // Segment 6's file put in place of segment 5's, keeping 5's tag: its encryption is bound to its name.
                var six = archive.List().Single(f => f.Name.SegmentNumber == 6);
                File.Copy(six.Path, stored.Path, overwrite: true);
                break;
        }

        var target = _pgWal.File("RECOVERYXLOG");
        var error = await Assert.ThrowsAsync<IntegrityException>(() => WalFetch.FetchAsync(archive, SyntheticWal.Name(1, 5), target, default));

        Assert.Contains(SyntheticWal.Name(1, 5), error.Message);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.EnumerateFiles(_pgWal.Path, ".pgbt-*"));
    }

    [Fact]
    public async Task A_push_interrupted_mid_write_leaves_nothing_listed_and_the_retry_succeeds()
    {
        var source = SyntheticWal.WriteSegment(_pgWal.Path, 1, 5);
        using var archive = Open();
        using (var cancel = new CancellationTokenSource())
        {
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                WalPush.PushAsync(archive, source, SyntheticWal.Name(1, 5), CompressionSettings.Default, TimeProvider.System, cancel.Token));
        }

        Assert.Empty(archive.List());
        AssertNoTemporaryFiles(archive);
        Assert.Equal(WalPushResult.Stored, await Push(archive, source, SyntheticWal.Name(1, 5)));
    }

    [Fact]
    public async Task What_a_killed_push_left_behind_is_never_listed_and_is_cleaned_up_later()
    {
        using var archive = Open();
        await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, 4), SyntheticWal.Name(1, 4));
        var folder = Path.GetDirectoryName(archive.List().Single().Path)!;
        var leftover = Path.Combine(folder, WalArchive.TemporaryPrefix + "killed");
        File.WriteAllBytes(leftover, new byte[1000]);
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow - TimeSpan.FromHours(2));
        var fresh = Path.Combine(folder, WalArchive.TemporaryPrefix + "concurrent");
        File.WriteAllBytes(fresh, new byte[1000]);

        Assert.Single(archive.List());
        await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, 5), SyntheticWal.Name(1, 5));

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(fresh)); // may belong to a push still running
        Assert.Equal(2, archive.List().Count);
    }

    [Fact]
    public async Task A_partial_copy_never_hides_a_hole_and_is_not_used_when_the_segment_exists()
    {
        using var archive = Open();
        await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, 4), SyntheticWal.Name(1, 4));
        var partial = _pgWal.File(SyntheticWal.Name(1, 5) + ".partial");
        File.WriteAllBytes(partial, SyntheticWal.Segment(1, 5, seed: 7));
        await Push(archive, partial, SyntheticWal.Name(1, 5) + ".partial");
        await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, 6), SyntheticWal.Name(1, 6));

        var target = _pgWal.File("RECOVERYXLOG");
        Assert.Equal(WalFetchResult.Gap, await WalFetch.FetchAsync(archive, SyntheticWal.Name(1, 5), target, default));
        Assert.Equal(WalFetchResult.Restored, await WalFetch.FetchAsync(archive, SyntheticWal.Name(1, 6), target, default));
        Assert.Equal(File.ReadAllBytes(_pgWal.File(SyntheticWal.Name(1, 6))), File.ReadAllBytes(target));
    }

    [Fact]
    public async Task A_tampered_archive_description_is_refused()
    {
        using (var archive = Open())
        {
            await Push(archive, SyntheticWal.WriteSegment(_pgWal.Path, 1, 5), SyntheticWal.Name(1, 5));
            var info = Path.Combine(archive.Directory, WalArchive.InfoFileName);
            File.WriteAllText(info, File.ReadAllText(info).Replace("1048576", "2097152", StringComparison.Ordinal));
        }

        using var session = _repository.OpenUnlocked();
        Assert.Throws<IntegrityException>(() => WalArchive.Open(session, SyntheticWal.SystemId));
    }

    public void Dispose()
    {
        _sessions.ForEach(s => s.Dispose());
        _repository.Dispose();
        _pgWal.Dispose();
    }

    private static void AssertNoTemporaryFiles(WalArchive archive) =>
        Assert.Empty(Directory.Exists(archive.Directory)
            ? Directory.EnumerateFiles(archive.Directory, WalArchive.TemporaryPrefix + "*", SearchOption.AllDirectories)
            : []);

    private WalArchive Open()
    {
        var session = _repository.OpenUnlocked();
        _sessions.Add(session);
        return WalArchive.Open(session, SyntheticWal.SystemId);
    }

    private static Task<WalPushResult> Push(WalArchive archive, string path, string name, CompressionAlgorithm algorithm = CompressionAlgorithm.Zstd) =>
        WalPush.PushAsync(archive, path, name, CompressionSettings.Create(algorithm, null), TimeProvider.System, default);
}
