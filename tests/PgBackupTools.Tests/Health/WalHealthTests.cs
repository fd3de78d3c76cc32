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
