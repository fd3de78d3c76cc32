using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using Xunit;

namespace PgBackupTools.Tests.Physical;

/// <summary>The recovery_target_* settings each kind of target produces, which decide where PostgreSQL stops replaying.</summary>
public class RecoveryTargetTests
{
    [Fact]
    public void Latest_only_follows_the_latest_timeline_and_sets_no_action()
    {
        Assert.Equal([("recovery_target_timeline", "latest")], RecoveryTarget.Latest.Settings());
    }

    [Fact]
    public void Immediate_stops_at_consistency_and_promotes()
    {
        Assert.Equal(
            [("recovery_target", "immediate"), ("recovery_target_timeline", "latest"), ("recovery_target_action", "promote")],
            RecoveryTarget.Immediate.Settings());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-5)]
    [InlineData(5.5)]
    public void Time_is_written_in_utc_with_microseconds_whatever_offset_was_given(double offsetHours)
    {
        var utc = new DateTimeOffset(2026, 3, 1, 23, 30, 15, TimeSpan.Zero).AddTicks(1234567); // .1234567 s
        var local = utc.ToOffset(TimeSpan.FromHours(offsetHours));

        var settings = RecoveryTarget.AtTime(local).Settings().ToList();

        Assert.Equal(
            [("recovery_target_time", "2026-03-01 23:30:15.123456+00"), ("recovery_target_timeline", "latest"), ("recovery_target_action", "promote")],
            settings);
    }

    [Fact]
    public void Time_crossing_midnight_into_utc_changes_the_date()
    {
        var local = new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.FromHours(2));

        var (name, value) = RecoveryTarget.AtTime(local).Settings().First();

        Assert.Equal("recovery_target_time", name);
        Assert.Equal("2025-12-31 22:30:00.000000+00", value);
    }

    [Fact]
    public void Lsn_is_written_as_postgresql_prints_it()
    {
        Assert.Equal(
            [("recovery_target_lsn", "16/B374D848"), ("recovery_target_timeline", "latest"), ("recovery_target_action", "promote")],
            RecoveryTarget.AtLsn("16/b374d848").Settings());
    }

    [Fact]
    public void Name_is_a_restore_point()
    {
        Assert.Equal(
            [("recovery_target_name", "before upgrade"), ("recovery_target_timeline", "latest"), ("recovery_target_action", "promote")],
            RecoveryTarget.AtName("before upgrade").Settings());
    }

    [Theory]
    [InlineData("")]
    [InlineData("5000028")]
    [InlineData("0/")]
    [InlineData("/5000028")]
    [InlineData("0/XYZ")]
    [InlineData("123456789/0")]
    [InlineData("0/123456789")]
    [InlineData("-1/5")]
    public void AtLsn_rejects_what_is_not_a_wal_location(string text)
    {
        var error = Assert.Throws<PgBackupException>(() => RecoveryTarget.AtLsn(text));

        Assert.Equal("TargetLsnInvalid", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Descriptions_say_where_recovery_stops()
    {
        Assert.Equal("the end of the archived WAL", RecoveryTarget.Latest.Description);
        Assert.Equal("the end of the base backup (consistency)", RecoveryTarget.Immediate.Description);
        Assert.Equal(
            "time 2026-03-01 10:00:00.500000+02:00",
            RecoveryTarget.AtTime(new DateTimeOffset(2026, 3, 1, 10, 0, 0, 500, TimeSpan.FromHours(2))).Description);
        Assert.Equal("WAL location 0/5000028", RecoveryTarget.AtLsn("0/5000028").Description);
        Assert.Equal("restore point 'nightly'", RecoveryTarget.AtName("nightly").Description);
    }
}
