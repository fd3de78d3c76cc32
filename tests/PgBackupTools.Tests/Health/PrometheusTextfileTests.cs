using System.Text.RegularExpressions;
using PgBackupTools.Engine.Health;
using Xunit;

namespace PgBackupTools.Tests.Health;

public class PrometheusTextfileTests
{
    // One sample line of the exposition format 0.0.4: name{labels} value
    private static readonly Regex Sample = new(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\\n]|\\[\\""n])*"",?)*\})? -?[0-9.eE+-]+$");

    [Fact]
    public void RendersValidExpositionFormatWithEscapedLabels()
    {
        var now = DateTimeOffset.UtcNow;
        var backup = new Backup
        {
            Id = "x", Database = "we\"ird\\db\nname", Server = "s", Type = BackupType.Logical, Status = BackupStatus.Complete,
            StartTime = now.AddMinutes(-2), EndTime = now.AddMinutes(-1), Duration = TimeSpan.FromSeconds(60), SizeBytes = 1234, Repository = "/r", Path = "/r/x",
        };
        var facts = new RepositoryHealthFacts { Repository = "/r", FreeSpaceBytes = 10L << 30, Databases = [new DatabaseHealthFacts(backup.Database, [backup], null)] };
        var report = HealthEvaluator.Evaluate(facts, new HealthThresholds(), now);
        var text = PrometheusTextfile.Render(report, facts);

        Assert.EndsWith("\n", text);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || Sample.IsMatch(line), $"not exposition format: {line}");
        }

        Assert.Contains("pgbackup_last_size_bytes{repository=\"/r\",database=\"we\\\"ird\\\\db\\nname\"} 1234", text);
        Assert.Contains($"pgbackup_last_success_timestamp_seconds{{repository=\"/r\",database=\"we\\\"ird\\\\db\\nname\"}} {backup.EndTime!.Value.ToUnixTimeSeconds()}", text);
        Assert.Contains("# TYPE pgbackup_health_status gauge", text);
    }

    [Fact]
    public void WritingReplacesTheFileWholeAndLeavesNoTemporaryFile()
    {
        var directory = Directory.CreateTempSubdirectory("pgbt-prom-");
        try
        {
            var path = Path.Combine(directory.FullName, "pgbackup.prom");
            File.WriteAllText(path, "old content that must disappear\n");
            var facts = new RepositoryHealthFacts { Repository = "/r", FreeSpaceBytes = 1 };
            PrometheusTextfile.Write(path, HealthEvaluator.Evaluate(facts, new HealthThresholds(), DateTimeOffset.UtcNow), facts);
            Assert.DoesNotContain("old content", File.ReadAllText(path));
            Assert.Contains("pgbackup_health_status{repository=\"/r\"} 2", File.ReadAllText(path));
            Assert.Equal(["pgbackup.prom"], directory.GetFiles().Select(f => f.Name));
        }
        finally
        {
            directory.Delete(true);
        }
    }
}
