namespace PgBackupTools.Engine.Notify;

/// <summary>What was last reported for one alert key.</summary>
public sealed record AlertStateEntry(AlertSeverity Severity, DateTimeOffset? LastSent);

public sealed record ThrottleDecision(bool Send, AlertKind Kind, AlertStateEntry NewState);

/// <summary>
/// Decides whether an alert is worth sending, given what was last reported for its key: a new problem or a
/// changed severity is sent at once, the same problem again only after the window, a return to OK once as a
/// recovery, and OK after OK never.
/// </summary>
public static class AlertThrottle
{
    public static ThrottleDecision Decide(AlertStateEntry? previous, Alert alert, DateTimeOffset now, TimeSpan window)
    {
        var wasProblem = previous is not null && previous.Severity != AlertSeverity.OK;
        if (alert.Severity == AlertSeverity.OK)
        {
            return wasProblem
                ? new ThrottleDecision(true, AlertKind.Recovery, new AlertStateEntry(AlertSeverity.OK, now))
                : new ThrottleDecision(false, AlertKind.Suppressed, previous ?? new AlertStateEntry(AlertSeverity.OK, null));
        }

        if (!wasProblem || previous!.Severity != alert.Severity)
        {
            return new ThrottleDecision(true, AlertKind.New, new AlertStateEntry(alert.Severity, now));
        }

        if (previous.LastSent is null || now - previous.LastSent.Value >= window)
        {
            return new ThrottleDecision(true, AlertKind.Repeat, new AlertStateEntry(alert.Severity, now));
        }

        return new ThrottleDecision(false, AlertKind.Suppressed, previous);
    }
}
