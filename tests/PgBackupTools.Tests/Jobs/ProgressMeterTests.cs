using PgBackupTools.Engine.Jobs;
using Xunit;

namespace PgBackupTools.Tests.Jobs;

public sealed class ProgressMeterTests
{
    private sealed class RecordingReporter : IJobReporter
    {
        public List<JobProgress> Progress { get; } = [];

        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }

        void IJobReporter.Progress(JobProgress progress) => Progress.Add(progress);
    }

    [Fact]
    public void Towards_an_expected_size_it_shows_a_percentage_that_stops_short_of_100_until_done()
    {
        var reporter = new RecordingReporter();

        new ProgressMeter(reporter, 1, "Base backup", TimeProvider.System).ReportTowards(300 << 20, 30 << 20, 1200L << 20);
        new ProgressMeter(reporter, 1, "Base backup", TimeProvider.System).ReportTowards(1300L << 20, 90 << 20, 1200L << 20);

        Assert.Equal(25, reporter.Progress[0].PercentComplete);
        Assert.StartsWith("300.0 MiB of about 1.2 GiB read, 30.0 MiB stored, ", reporter.Progress[0].Status, StringComparison.Ordinal);
        Assert.Equal(99, reporter.Progress[1].PercentComplete);
    }

    [Fact]
    public void Without_an_expected_size_it_shows_no_percentage()
    {
        var reporter = new RecordingReporter();

        new ProgressMeter(reporter, 1, "Base backup", TimeProvider.System).ReportTowards(300 << 20, 30 << 20, 0);

        Assert.Equal(-1, reporter.Progress[0].PercentComplete);
        Assert.StartsWith("300.0 MiB read, 30.0 MiB stored, ", reporter.Progress[0].Status, StringComparison.Ordinal);
    }
}
