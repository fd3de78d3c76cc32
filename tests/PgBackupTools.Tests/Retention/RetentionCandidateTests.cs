using PgBackupTools.Engine.Retention;
using Xunit;

namespace PgBackupTools.Tests.Retention;

public class RetentionCandidateTests
{
    [Theory]
    [InlineData(VerificationStatus.Passed, VerificationOutcome.Passed)]
    [InlineData(VerificationStatus.Failed, VerificationOutcome.Failed)]
    [InlineData(VerificationStatus.Skipped, null)]
    [InlineData(VerificationStatus.Error, null)]
    [InlineData(null, null)]
    public void OnlyADefiniteVerdictOfTestPgBackupCounts(VerificationStatus? verified, VerificationOutcome? expected)
    {
        var backup = new Backup
        {
            Id = "20261125T020000Z-abcdef", Database = "shop", Server = "db:5432", Type = BackupType.Logical, Status = BackupStatus.Complete,
            StartTime = DateTimeOffset.UtcNow, SizeBytes = 10, Repository = "/r", Path = "/r/x", VerificationStatus = verified,
        };
        var candidate = RetentionCandidate.From(backup);
        Assert.Equal(expected, candidate.VerificationStatus);
        Assert.Equal("db:5432", candidate.Server);
    }
}
