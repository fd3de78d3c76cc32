using Microsoft.Extensions.Time.Testing;
using PgBackupTools.Engine.Notify;
using Xunit;

namespace PgBackupTools.Tests.Notify;

public sealed class AlertThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(6);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 3, 1, 6, 0, 0, TimeSpan.Zero));

    [Fact]
    public void New_alert_is_sent()
    {
        var decision = AlertThrottle.Decide(null, Alert(AlertSeverity.Critical), _clock.GetUtcNow(), Window);

        Assert.True(decision.Send);
        Assert.Equal(AlertKind.New, decision.Kind);
        Assert.Equal(new AlertStateEntry(AlertSeverity.Critical, _clock.GetUtcNow()), decision.NewState);
    }

    [Fact]
    public void Same_alert_within_the_window_is_suppressed_and_after_it_repeated()
    {
        var first = AlertThrottle.Decide(null, Alert(AlertSeverity.Critical), _clock.GetUtcNow(), Window);

        _clock.Advance(TimeSpan.FromHours(5));
        var within = AlertThrottle.Decide(first.NewState, Alert(AlertSeverity.Critical), _clock.GetUtcNow(), Window);
        Assert.False(within.Send);
        Assert.Equal(AlertKind.Suppressed, within.Kind);
        Assert.Equal(first.NewState, within.NewState);

        _clock.Advance(TimeSpan.FromHours(1));
        var after = AlertThrottle.Decide(within.NewState, Alert(AlertSeverity.Critical), _clock.GetUtcNow(), Window);
        Assert.True(after.Send);
        Assert.Equal(AlertKind.Repeat, after.Kind);
        Assert.Equal(_clock.GetUtcNow(), after.NewState.LastSent);
    }

    [Fact]
    public void Changed_severity_is_sent_at_once()
    {
        var warning = AlertThrottle.Decide(null, Alert(AlertSeverity.Warning), _clock.GetUtcNow(), Window);
        _clock.Advance(TimeSpan.FromMinutes(10));

        var critical = AlertThrottle.Decide(warning.NewState, Alert(AlertSeverity.Critical), _clock.GetUtcNow(), Window);

        Assert.True(critical.Send);
        Assert.Equal(AlertKind.New, critical.Kind);
    }

    [Fact]
    public void OK_after_critical_is_one_recovery()
    {
        var critical = AlertThrottle.Decide(null, Alert(AlertSeverity.Critical), _clock.GetUtcNow(), Window);
        _clock.Advance(TimeSpan.FromMinutes(30));

        var recovery = AlertThrottle.Decide(critical.NewState, Alert(AlertSeverity.OK), _clock.GetUtcNow(), Window);
        Assert.True(recovery.Send);
        Assert.Equal(AlertKind.Recovery, recovery.Kind);

        _clock.Advance(TimeSpan.FromMinutes(30));
        var again = AlertThrottle.Decide(recovery.NewState, Alert(AlertSeverity.OK), _clock.GetUtcNow(), Window);
        Assert.False(again.Send);
        Assert.Equal(AlertKind.Suppressed, again.Kind);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OK_after_OK_or_nothing_is_not_sent(bool hadOk)
    {
        var previous = hadOk ? new AlertStateEntry(AlertSeverity.OK, _clock.GetUtcNow().AddDays(-2)) : null;

        var decision = AlertThrottle.Decide(previous, Alert(AlertSeverity.OK), _clock.GetUtcNow(), Window);

        Assert.False(decision.Send);
        Assert.Equal(AlertKind.Suppressed, decision.Kind);
    }

    private static Alert Alert(AlertSeverity severity) => TestAlerts.Critical() with { Severity = severity };
}
