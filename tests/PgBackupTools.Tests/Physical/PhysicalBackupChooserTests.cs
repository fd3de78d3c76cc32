using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Tests.Repository;
using Xunit;

namespace PgBackupTools.Tests.Physical;

/// <summary>Which base backup a point-in-time restore starts from.</summary>
public sealed class PhysicalBackupChooserTests : IDisposable
{
    private const string SystemA = "7301234567890123456";
    private const string SystemB = "7309999999999999999";

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TestRepository _repository = new(encrypted: false);

    [Fact]
    public async Task Time_target_picks_the_newest_backup_consistent_at_or_before_it()
    {
        var first = await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");
        var second = await _repository.WritePhysicalBackupAsync(T0.AddHours(2), "0/5000000");
        var third = await _repository.WritePhysicalBackupAsync(T0.AddHours(3), "0/7000000");

        Assert.Equal(second, Choose(RecoveryTarget.AtTime(T0.AddHours(2.5))).Id);
        Assert.Equal(second, Choose(RecoveryTarget.AtTime(T0.AddHours(2))).Id); // consistent exactly at the target
        Assert.Equal(first, Choose(RecoveryTarget.AtTime(T0.AddHours(2).AddTicks(-1))).Id);
        Assert.Equal(third, Choose(RecoveryTarget.AtTime(T0.AddDays(1))).Id);
    }

    [Fact]
    public async Task Time_target_compares_instants_not_local_clock_readings()
    {
        var utc1 = await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");
        await _repository.WritePhysicalBackupAsync(T0.AddHours(2), "0/5000000");

        // 03:30+02:00 is 01:30Z: after the first backup (01:00Z), before the second (02:00Z), though 03:30 > 02:00 on the clock.
        Assert.Equal(utc1, Choose(RecoveryTarget.AtTime(new DateTimeOffset(2026, 3, 1, 3, 30, 0, TimeSpan.FromHours(2)))).Id);
    }

    [Fact]
    public async Task Lsn_target_picks_by_stop_lsn()
    {
        await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");
        var second = await _repository.WritePhysicalBackupAsync(T0.AddHours(2), "0/A000000"); // hex: above 0/9FFFFFF
        await _repository.WritePhysicalBackupAsync(T0.AddHours(3), "1/0");

        Assert.Equal(second, Choose(RecoveryTarget.AtLsn("0/A000000")).Id);
        Assert.Equal(second, Choose(RecoveryTarget.AtLsn("0/FFFFFFFF")).Id);
        var error = Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.AtLsn("0/2FFFFFF")));
        Assert.Equal("NoBackupBeforeTarget", error.ErrorId);
    }

    [Fact]
    public async Task Latest_and_immediate_pick_the_newest()
    {
        await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");
        var newest = await _repository.WritePhysicalBackupAsync(T0.AddHours(3), "0/7000000");
        await _repository.WritePhysicalBackupAsync(T0.AddHours(2), "0/5000000");

        Assert.Equal(newest, Choose(RecoveryTarget.Latest).Id);
        Assert.Equal(newest, Choose(RecoveryTarget.Immediate).Id);
    }

    [Fact]
    public async Task An_explicit_id_is_used_when_it_ends_before_the_target()
    {
        var first = await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");
        await _repository.WritePhysicalBackupAsync(T0.AddHours(2), "0/5000000");

        Assert.Equal(first, Choose(RecoveryTarget.AtTime(T0.AddHours(5)), first).Id);
        Assert.Equal(first, Choose(RecoveryTarget.Latest, first).Id);
    }

    [Fact]
    public async Task An_explicit_id_consistent_after_the_target_is_refused()
    {
        await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");
        var later = await _repository.WritePhysicalBackupAsync(T0.AddHours(2), "0/5000000");

        var byTime = Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.AtTime(T0.AddHours(1.5)), later));
        var byLsn = Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.AtLsn("0/4000000"), later));

        Assert.Equal("BackupAfterTarget", byTime.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, byTime.Kind);
        Assert.Equal(later, byTime.Target);
        Assert.Equal("BackupAfterTarget", byLsn.ErrorId);
    }

    [Fact]
    public async Task An_unknown_id_is_not_found()
    {
        await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");

        var error = Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.Latest, "20260301T000000Z-000000"));

        Assert.Equal("BackupNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
    }

    [Fact]
    public async Task No_backup_before_the_target()
    {
        await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");

        var error = Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.AtTime(T0.AddMinutes(30))));

        Assert.Equal("NoBackupBeforeTarget", error.ErrorId);
        Assert.Contains("2026-03-01 01:00:00Z", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_repository_has_no_backup()
    {
        var error = Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.Latest));

        Assert.Equal("BackupNotFound", error.ErrorId);
    }

    [Fact]
    public async Task Logical_backups_are_ignored()
    {
        await _repository.WriteBackupAsync(TestRepository.SampleDump(100), start: T0.AddHours(5));

        Assert.Equal("BackupNotFound", Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.Latest)).ErrorId);

        var physical = await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000");
        await _repository.WriteBackupAsync(TestRepository.SampleDump(100), start: T0.AddHours(6));
        Assert.Equal(physical, Choose(RecoveryTarget.Latest).Id);
    }

    [Fact]
    public async Task Two_clusters_without_an_id_are_ambiguous()
    {
        await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000", SystemA);
        var b = await _repository.WritePhysicalBackupAsync(T0.AddHours(2), "0/5000000", SystemB);

        var error = Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.Latest));

        Assert.Equal("AmbiguousCluster", error.ErrorId);
        Assert.Contains(SystemA, error.Message, StringComparison.Ordinal);
        Assert.Contains(SystemB, error.Message, StringComparison.Ordinal);
        Assert.Equal(b, Choose(RecoveryTarget.Latest, b).Id);
    }

    [Fact]
    public async Task A_system_identifier_selects_among_clusters()
    {
        var a = await _repository.WritePhysicalBackupAsync(T0.AddHours(1), "0/3000000", SystemA);
        await _repository.WritePhysicalBackupAsync(T0.AddHours(2), "0/5000000", SystemB);

        Assert.Equal(a, Choose(RecoveryTarget.Latest, systemIdentifier: SystemA).Id);
        Assert.Equal("BackupNotFound", Assert.Throws<PgBackupException>(() => Choose(RecoveryTarget.Latest, systemIdentifier: "1")).ErrorId);
    }

    public void Dispose() => _repository.Dispose();

    private Backup Choose(RecoveryTarget target, string? id = null, string? systemIdentifier = null)
    {
        using var session = _repository.OpenUnlocked();
        return PhysicalBackupChooser.Choose(session, target, id, systemIdentifier);
    }
}
