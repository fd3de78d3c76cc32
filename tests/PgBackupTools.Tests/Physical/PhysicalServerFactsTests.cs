using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using Xunit;

namespace PgBackupTools.Tests.Physical;

/// <summary>The refusals before pg_basebackup starts: each names what to change on the server.</summary>
public class PhysicalServerFactsTests
{
    private static readonly PgConnectionSettings Connection = PgConnectionSettings.From(null, "db01", 5433, "postgres", "backup", null, null, _ => null);

    private static readonly PhysicalServerFacts Ready = new(
        WalLevel: "replica",
        MaxWalSenders: 10,
        CanReplicate: true,
        ArchiveModeOn: true,
        WalSegmentSize: 16 * 1024 * 1024,
        UserTablespaces: [],
        BootstrapSuperuser: "postgres",
        SystemIdentifier: "7301234567890123456",
        CurrentUser: "backup");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_ready_server_passes(bool includeWal)
    {
        Ready.RequireReady(Connection, includeWal);
        (Ready with { WalLevel = "logical" }).RequireReady(Connection, includeWal);
    }

    [Fact]
    public void Minimal_wal_level_is_refused()
    {
        var error = Refusal(Ready with { WalLevel = "minimal" }, includeWal: true);

        Assert.Equal("PhysicalBackupWalLevel", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.Equal("db01:5433", error.Target);
        Assert.Contains("wal_level = replica", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, false, true)]
    [InlineData(1, false, false)]
    [InlineData(1, true, true)]
    [InlineData(2, true, false)]
    public void Wal_senders_one_for_the_backup_and_one_more_for_streamed_wal(int senders, bool includeWal, bool refused)
    {
        var facts = Ready with { MaxWalSenders = senders, ArchiveModeOn = true };

        if (refused)
        {
            var error = Refusal(facts, includeWal);
            Assert.Equal("PhysicalBackupWalSenders", error.ErrorId);
            Assert.Contains($"max_wal_senders is {senders}", error.Message, StringComparison.Ordinal);
            Assert.Contains($"at least {(includeWal ? 2 : 1)} free", error.Message, StringComparison.Ordinal);
        }
        else
        {
            facts.RequireReady(Connection, includeWal);
        }
    }

    [Fact]
    public void A_role_without_replication_is_told_the_alter_role()
    {
        var error = Refusal(Ready with { CanReplicate = false }, includeWal: false);

        Assert.Equal("PhysicalBackupNoReplicationRole", error.ErrorId);
        Assert.Contains("ALTER ROLE \"backup\" REPLICATION;", error.Message, StringComparison.Ordinal);
        Assert.Contains("host replication backup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_alter_role_text_quotes_an_identifier_with_a_double_quote()
    {
        var error = Refusal(Ready with { CanReplicate = false, CurrentUser = "we\"ird" }, includeWal: false);

        Assert.Contains("ALTER ROLE \"we\"\"ird\" REPLICATION;", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tablespaces_are_not_supported_and_are_named()
    {
        var error = Refusal(Ready with { UserTablespaces = ["fast_ssd", "archive_disk"] }, includeWal: false);

        Assert.Equal("TablespacesNotSupported", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, error.Kind);
        Assert.Equal("db01:5433", error.Target);
        Assert.Contains("(fast_ssd, archive_disk)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Archiving_off_is_refused_only_without_include_wal()
    {
        var facts = Ready with { ArchiveModeOn = false };

        var error = Refusal(facts, includeWal: false);
        Assert.Equal("WalArchivingNotConfigured", error.ErrorId);
        Assert.Contains("-IncludeWal", error.Message, StringComparison.Ordinal);

        facts.RequireReady(Connection, includeWal: true);
    }

    [Fact]
    public void The_first_problem_in_order_is_reported()
    {
        var everything = new PhysicalServerFacts("minimal", 0, false, false, 16 * 1024 * 1024, ["t"], "postgres", "1", "u");

        Assert.Equal("PhysicalBackupWalLevel", Refusal(everything, false).ErrorId);
        Assert.Equal("PhysicalBackupWalSenders", Refusal(everything with { WalLevel = "replica" }, false).ErrorId);
        Assert.Equal("PhysicalBackupNoReplicationRole", Refusal(everything with { WalLevel = "replica", MaxWalSenders = 5 }, false).ErrorId);
        Assert.Equal("TablespacesNotSupported", Refusal(everything with { WalLevel = "replica", MaxWalSenders = 5, CanReplicate = true }, false).ErrorId);
    }

    private static PgBackupException Refusal(PhysicalServerFacts facts, bool includeWal) =>
        Assert.Throws<PgBackupException>(() => facts.RequireReady(Connection, includeWal));
}
