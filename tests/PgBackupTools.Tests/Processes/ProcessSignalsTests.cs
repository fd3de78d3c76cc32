using System.Diagnostics;
using PgBackupTools.Engine.Processes;
using Xunit;

namespace PgBackupTools.Tests.Processes;

/// <summary>Finding a process again by name and start time, and ending it, as Stop-PgWalStream does.</summary>
public sealed class ProcessSignalsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pgbt-signals-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void KnowsAProcessByNameAndStartTime()
    {
        // A dotted name, as on Windows where only the name without ".exe" can be read of another process.
        var program = Path.Combine(_folder, "pgbt.checks");
        File.Copy("/bin/sleep", program);
        using var process = Process.Start(program, "30");
        try
        {
            Assert.True(WaitUntil(() => ProcessSignals.IsRunning(process.Id, "pgbt.checks")));
            Assert.False(ProcessSignals.IsRunning(process.Id, "pgbt"));
            var started = ProcessSignals.StartTime(process.Id);
            Assert.NotNull(started);
            Assert.InRange(started.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
            Assert.True(ProcessSignals.StartedAt(process.Id, started.Value));
            Assert.False(ProcessSignals.StartedAt(process.Id, started.Value.AddSeconds(-5)), "another start time is another process that reused the id");
            Assert.False(ProcessSignals.StartedAt(process.Id, started.Value.AddSeconds(5)));

            Assert.True(ProcessSignals.Kill(process.Id));
            Assert.True(process.WaitForExit(10_000));
            Assert.Equal(137, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public void SaysNothingOfAProcessThatIsGone()
    {
        using var process = Process.Start("true");
        process.WaitForExit();
        var gone = process.Id;
        Assert.Null(ProcessSignals.StartTime(gone));
        Assert.False(ProcessSignals.StartedAt(gone, DateTimeOffset.UtcNow));
        Assert.False(ProcessSignals.Kill(gone));
        Assert.False(ProcessSignals.IsRunning(gone, "true"));
        Assert.Null(ProcessSignals.StartTime(0));
    }

    private static bool WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }
}
