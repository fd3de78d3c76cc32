using PgBackupTools.Engine.Health;
using PgBackupTools.Engine.Wal;
using Xunit;

namespace PgBackupTools.Tests.Health;

public sealed class WalHealthTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private const int Size = 16 * 1024 * 1024;

    private static HealthCheck Check(WalHealthFacts wal, string name) =>
        HealthEvaluator.Evaluate(new RepositoryHealthFacts { Repository = "/r", FreeSpaceBytes = 100L << 30, WalArchives = [wal] }, new HealthThresholds(), Now)
            .Checks.Single(c => c.Name == name);

    private static WalHealthFacts Archive(TimeSpan age, params ulong[] segments)
    {
        var names = segments.Select(s => WalFileName.Segment(1, s, Size)).ToList();
        var continuity = WalContinuity.Check(names, TimelineHistory.Initial(), Size);
        return new WalHealthFacts("42", names.MaxBy(n => n.SegmentNumber), Now - age, continuity);
    }

    [Theory]
    [InlineData(14, HealthStatus.OK)]
    [InlineData(15, HealthStatus.Warning)]
    [InlineData(59, HealthStatus.Warning)]
    [InlineData(60, HealthStatus.Critical)]
    public void The_age_of_the_newest_segment_is_the_rpo(int minutes, HealthStatus expected)
    {
        var check = Check(Archive(TimeSpan.FromMinutes(minutes), 3, 4, 5), "WAL archive age");
        Assert.Equal(expected, check.Status);
        Assert.Equal("system 42", check.Database);
        Assert.Contains(minutes >= 15 ? "would be lost" : "000000010000000000000005", check.Message);
    }

    [Fact]
    public void A_hole_is_critical_and_named()
    {
        var check = Check(Archive(TimeSpan.FromMinutes(1), 3, 4, 6, 7), "WAL archive continuity");
        Assert.Equal(HealthStatus.Critical, check.Status);
        Assert.Contains("000000010000000000000005", check.Message);
    }

    [Fact]
    public void A_continuous_archive_is_ok()
    {
        var check = Check(Archive(TimeSpan.FromMinutes(1), 3, 4, 5), "WAL archive continuity");
        Assert.Equal(HealthStatus.OK, check.Status);
        Assert.Equal("3 segments", check.Value);
    }

    [Fact]
    public void An_empty_or_unreadable_archive_is_critical()
    {
        Assert.Equal(HealthStatus.Critical, Check(new WalHealthFacts("42", null, null, null), "WAL archive age").Status);
        Assert.Equal(HealthStatus.Critical, Check(new WalHealthFacts("42", null, null, null, "IntegrityCheckFailed: x"), "WAL archive").Status);
    }

    [Fact]
    public void Prometheus_gets_the_rpo_timestamp_and_the_gap_count()
    {
        var facts = new RepositoryHealthFacts { Repository = "/r", FreeSpaceBytes = 100L << 30, WalArchives = [Archive(TimeSpan.FromMinutes(2), 3, 5)] };
        var text = PrometheusTextfile.Render(HealthEvaluator.Evaluate(facts, new HealthThresholds(), Now), facts);
        Assert.Contains($"pgbackup_wal_last_archived_timestamp_seconds{{repository=\"/r\",system_identifier=\"42\"}} {(Now - TimeSpan.FromMinutes(2)).ToUnixTimeSeconds()}", text);
        Assert.Contains("pgbackup_wal_gaps{repository=\"/r\",system_identifier=\"42\"} 1", text);
    }
}

/// <summary>The probe reads a real archive: a streamed partial copy newer than the newest segment is what the RPO is measured by.</summary>
public sealed class WalHealthProbeTests : IDisposable
{
    private readonly PgBackupTools.Tests.Repository.TestRepository _repository = new();
    private readonly PgBackupTools.Tests.Crypto.TempDirectory _pgWal = new();

    [Fact]
    public async Task A_partial_copy_newer_than_the_newest_segment_sets_the_archive_age()
    {
        using var session = _repository.OpenUnlocked();
        using (var archive = WalArchive.Open(session, Wal.SyntheticWal.SystemId))
        {
            foreach (var segment in new ulong[] { 3, 4 })
            {
                var path = Wal.SyntheticWal.WriteSegment(_pgWal.Path, 1, segment);
                await WalPush.PushAsync(archive, path, Wal.SyntheticWal.Name(1, segment), Engine.Pipeline.CompressionSettings.Default, TimeProvider.System, default);
            }

            foreach (var stored in archive.List())
            {
                File.SetLastWriteTimeUtc(stored.Path, DateTime.UtcNow.AddHours(-2));
            }

            var partial = _pgWal.File(Wal.SyntheticWal.Name(1, 5) + ".partial");
            File.WriteAllBytes(partial, Wal.SyntheticWal.Segment(1, 5));
            await WalPush.PushAsync(archive, partial, Wal.SyntheticWal.Name(1, 5) + ".partial", Engine.Pipeline.CompressionSettings.Default, TimeProvider.System, default);
        }

        var wal = Assert.Single(WalHealthProbe.Gather(session, []));
        Assert.Equal(Wal.SyntheticWal.Name(1, 4), wal.Newest!.Name);
        Assert.True(DateTimeOffset.UtcNow - wal.NewestStoredAt!.Value < TimeSpan.FromMinutes(1));
        Assert.True(wal.Continuity!.IsContinuous);
    }

    public void Dispose()
    {
        _repository.Dispose();
        _pgWal.Dispose();
    }
}
