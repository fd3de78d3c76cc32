using PgBackupTools.Engine.Repository;
using Xunit;

namespace PgBackupTools.Tests.Repository;

public class RunRecordStoreTests
{
    private static RunRecord Record(DateTimeOffset start, RunOutcome outcome, string database = "shop") => new()
    {
        RunId = Guid.NewGuid().ToString("N")[..12],
        Database = database,
        Server = "db:5432",
        StartTime = start,
        EndTime = start.AddMinutes(1),
        Outcome = outcome,
        ErrorId = outcome == RunOutcome.Failed ? "ServerUnreachable" : null,
    };

    [Fact]
    public void RecordsAreReadNewestFirstAndAuthenticated()
    {
        using var repo = new TestRepository();
        using var session = repo.OpenUnlocked();
        var now = DateTimeOffset.UtcNow;
        RunRecordStore.Write(session.Layout, Record(now.AddHours(-2), RunOutcome.Succeeded), session);
        RunRecordStore.Write(session.Layout, Record(now.AddHours(-1), RunOutcome.Failed), session);

        var records = RunRecordStore.Read(session);
        Assert.Equal([RunOutcome.Failed, RunOutcome.Succeeded], records.Select(r => r.Outcome));
    }

    [Fact]
    public void AForgedSuccessIsIgnoredButAnUnauthenticatedFailureCounts()
    {
        using var repo = new TestRepository();
        using var session = repo.OpenUnlocked();
        var now = DateTimeOffset.UtcNow;
        // Written without the key, as by a run that could not unlock the repository.
        RunRecordStore.Write(session.Layout, Record(now.AddHours(-1), RunOutcome.Failed), null);
        RunRecordStore.Write(session.Layout, Record(now, RunOutcome.Succeeded), null);

        var records = RunRecordStore.Read(session);
        Assert.Equal(RunOutcome.Failed, Assert.Single(records).Outcome);
    }

    [Fact]
    public void RecordsOlderThanTheKeepPeriodArePrunedOnWrite()
    {
        using var repo = new TestRepository();
        using var session = repo.OpenUnlocked();
        var now = DateTimeOffset.UtcNow;
        RunRecordStore.Write(session.Layout, Record(now - RunRecordStore.KeepFor - TimeSpan.FromDays(1), RunOutcome.Succeeded), session);
        RunRecordStore.Write(session.Layout, Record(now - TimeSpan.FromDays(1), RunOutcome.Succeeded), session);
        RunRecordStore.Write(session.Layout, Record(now, RunOutcome.Succeeded), session);

        Assert.Equal(2, RunRecordStore.Read(session).Count);
        Assert.Equal(4, Directory.GetFiles(RunRecordStore.Directory(session.Layout)).Length);
    }
}
