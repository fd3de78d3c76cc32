using PgBackupTools.Engine.Health;
using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Health;

public class HealthEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly HealthThresholds Defaults = new();
    private const long GB = 1L << 30;

    private static Backup Backup(TimeSpan ago, long size = 1_000_000, double seconds = 60, VerificationStatus? verified = VerificationStatus.Passed, TimeSpan? verifiedAgo = null) => new()
    {
        Id = "b" + ago.TotalMinutes,
        Database = "shop",
        Server = "db:5432",
        Type = BackupType.Logical,
        Status = BackupStatus.Complete,
        StartTime = Now - ago - TimeSpan.FromSeconds(seconds),
        EndTime = Now - ago,
        Duration = TimeSpan.FromSeconds(seconds),
        SizeBytes = size,
        Repository = "/r",
        Path = "/r/x",
        LastVerified = verified is null ? null : Now - (verifiedAgo ?? TimeSpan.FromHours(1)),
        VerificationStatus = verified,
        VerificationLevel = verified is null ? null : VerificationLevel.Restore,
    };

    private static RepositoryHealthFacts Facts(IReadOnlyList<Backup> backups, RunRecord? lastRun = null, long? free = 100 * GB) => new()
    {
        Repository = "/r",
        FreeSpaceBytes = free,
        Databases = [new DatabaseHealthFacts("shop", backups, lastRun)],
    };

    private static HealthCheck Check(HealthReport report, string name) => Assert.Single(report.Checks, c => c.Name == name);

    [Theory]
    [InlineData(0, HealthStatus.OK)]
    [InlineData(6 * 60 - 1, HealthStatus.OK)]
    [InlineData(6 * 60, HealthStatus.Warning)]
    [InlineData(25 * 60 - 1, HealthStatus.Warning)]
    [InlineData(25 * 60, HealthStatus.Critical)]
    public void BackupAgeIsJudgedExactlyAtItsBoundaries(int minutesAgo, HealthStatus expected)
    {
        var report = HealthEvaluator.Evaluate(Facts([Backup(TimeSpan.FromMinutes(minutesAgo))]), Defaults, Now);
        Assert.Equal(expected, Check(report, "backup age").Status);
        Assert.Equal(expected, report.Status);
        Assert.Equal((int)expected, report.ExitCode);
    }

    [Theory]
    [InlineData(5 * GB, HealthStatus.OK)]
    [InlineData(5 * GB - 1, HealthStatus.Warning)]
    [InlineData(1 * GB, HealthStatus.Warning)]
    [InlineData(1 * GB - 1, HealthStatus.Critical)]
    public void FreeSpaceIsJudgedExactlyAtItsBoundaries(long free, HealthStatus expected)
    {
        var report = HealthEvaluator.Evaluate(Facts([Backup(TimeSpan.FromMinutes(5))], free: free), Defaults, Now);
        Assert.Equal(expected, Check(report, "free space").Status);
    }

    [Fact]
    public void UnreadableFreeSpaceIsUnknownNotOk()
    {
        var report = HealthEvaluator.Evaluate(Facts([Backup(TimeSpan.FromMinutes(5))], free: null), Defaults, Now);
        Assert.Equal(HealthStatus.Unknown, Check(report, "free space").Status);
        Assert.Equal(3, report.ExitCode);
    }

    [Fact]
    public void AFailedLastRunIsCriticalEvenWhileTheNewestBackupIsYoung()
    {
        var run = new RunRecord { RunId = "r", Database = "shop", Server = "db:5432", StartTime = Now.AddMinutes(-3), EndTime = Now.AddMinutes(-2), Outcome = RunOutcome.Failed, ErrorId = "ServerUnreachable", Message = "Could not connect" };
        var report = HealthEvaluator.Evaluate(Facts([Backup(TimeSpan.FromMinutes(30))], run), Defaults, Now);
        var last = Check(report, "last run");
        Assert.Equal(HealthStatus.Critical, last.Status);
        Assert.Contains("ServerUnreachable", last.Message);
        Assert.Equal(HealthStatus.Critical, report.Status);
    }

    [Fact]
    public void AnEmptyRepositoryIsCriticalWithAMessage()
    {
        var report = HealthEvaluator.Evaluate(new RepositoryHealthFacts { Repository = "/r", FreeSpaceBytes = 100 * GB }, Defaults, Now);
        Assert.Equal(HealthStatus.Critical, report.Status);
        Assert.Contains("no backup", Check(report, "backup age").Message);
    }

    [Fact]
    public void AnUnreadableRepositoryIsCritical()
    {
        var report = HealthEvaluator.Evaluate(new RepositoryHealthFacts { Repository = "/r", Problem = "RepositoryNotFound: gone" }, Defaults, Now);
        Assert.Equal(HealthStatus.Critical, Check(report, "repository").Status);
    }

    [Theory]
    [InlineData(null, 1, HealthStatus.Warning)]
    [InlineData(VerificationStatus.Passed, 1, HealthStatus.OK)]
    [InlineData(VerificationStatus.Passed, 8 * 24, HealthStatus.Warning)]
    [InlineData(VerificationStatus.Failed, 1, HealthStatus.Critical)]
    [InlineData(VerificationStatus.Skipped, 1, HealthStatus.Warning)]
    public void VerificationStateIsReported(VerificationStatus? status, int hoursAgo, HealthStatus expected)
    {
        var report = HealthEvaluator.Evaluate(Facts([Backup(TimeSpan.FromMinutes(5), verified: status, verifiedAgo: TimeSpan.FromHours(hoursAgo))]), Defaults, Now);
        Assert.Equal(expected, Check(report, "verification").Status);
    }

    [Fact]
    public void AnEmptyDumpAfterNormalOnesIsASizeAnomaly()
    {
        var backups = new[] { Backup(TimeSpan.FromHours(1), size: 2_000) }
            .Concat(Enumerable.Range(2, 7).Select(i => Backup(TimeSpan.FromHours(i), size: 1_000_000 + i)))
            .ToList();
        var report = HealthEvaluator.Evaluate(Facts(backups), Defaults, Now);
        Assert.Equal(HealthStatus.Warning, Check(report, "size").Status);

        var normal = HealthEvaluator.Evaluate(Facts(backups.Skip(1).ToList()), Defaults, Now);
        Assert.Equal(HealthStatus.OK, Check(normal, "size").Status);
    }

    [Fact]
    public void ABackupThatTookMuchLongerIsADurationAnomaly()
    {
        var backups = new[] { Backup(TimeSpan.FromHours(1), seconds: 900) }
            .Concat(Enumerable.Range(2, 5).Select(i => Backup(TimeSpan.FromHours(i), seconds: 100)))
            .ToList();
        Assert.Equal(HealthStatus.Warning, Check(HealthEvaluator.Evaluate(Facts(backups), Defaults, Now), "duration").Status);
    }
}
