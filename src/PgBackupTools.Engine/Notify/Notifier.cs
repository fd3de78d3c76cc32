using System.Diagnostics;
using Serilog;
using Serilog.Core;

namespace PgBackupTools.Engine.Notify;

/// <summary>
/// Sends one alert through every channel at once and reports per channel. A channel that fails becomes a
/// Failed result, never an exception, so a notification can never hide or change the result of the backup or
/// check that raised it. Only the caller's own cancellation propagates.
/// </summary>
public sealed class Notifier(TimeProvider time, ILogger? log = null)
{
    public const string RecoveredPrefix = "Recovered: ";

    private readonly ILogger _log = log ?? Logger.None;

    public async Task<IReadOnlyList<NotificationResult>> SendAsync(
        Alert alert,
        IReadOnlyList<INotificationChannel> channels,
        NotificationOptions options,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var store = options.StatePath is null ? null : new AlertStateStore(options.StatePath);
        var previous = store?.Load().GetValueOrDefault(alert.Key);
        var decision = store is null
            ? new ThrottleDecision(true, AlertKind.New, new AlertStateEntry(alert.Severity, now))
            : AlertThrottle.Decide(previous, alert, now, options.RepeatAfter);
        if (!decision.Send && options.Force)
        {
            decision = new ThrottleDecision(true, AlertKind.New, new AlertStateEntry(alert.Severity, now));
        }

        if (!decision.Send)
        {
            var why = SuppressedBecause(previous, now, options.RepeatAfter);
            _log.Information("Alert {Key} ({Severity}) not sent: {Reason}", alert.Key, alert.Severity, why);
            return channels.Select(c => Result(c, alert, NotificationStatus.Suppressed, AlertKind.Suppressed, why, TimeSpan.Zero)).ToList();
        }

        var outgoing = decision.Kind == AlertKind.Recovery && !alert.Title.StartsWith(RecoveredPrefix, StringComparison.Ordinal)
            ? alert with { Title = RecoveredPrefix + alert.Title }
            : alert;
        var results = await Task.WhenAll(channels.Select(c => SendOneAsync(c, outgoing, decision.Kind, cancellationToken))).ConfigureAwait(false);

        // If nothing got through, the state stays as it was, so the next run tries again.
        if (store is not null && results.Any(r => r.Status == NotificationStatus.Sent))
        {
            store.Save(alert.Key, decision.NewState);
        }

        return results;
    }

    private async Task<NotificationResult> SendOneAsync(INotificationChannel channel, Alert alert, AlertKind kind, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await channel.SendAsync(alert, cancellationToken).ConfigureAwait(false);
            _log.Information("Alert {Key} ({Severity}, {Kind}) sent via {Channel} in {Ms} ms", alert.Key, alert.Severity, kind, channel.Name, watch.ElapsedMilliseconds);
            return Result(channel, alert, NotificationStatus.Sent, kind, $"{kind} alert delivered.", watch.Elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (NotificationDeliveryException ex)
        {
            return Failed(channel, alert, kind, ex.Message, watch.Elapsed);
        }
        catch (Exception ex)
        {
            // Not a delivery failure a channel anticipated, so its message was not redacted: show only its type.
            return Failed(channel, alert, kind, $"unexpected {ex.GetType().Name} in the {channel.Name} channel", watch.Elapsed);
        }
    }

    private NotificationResult Failed(INotificationChannel channel, Alert alert, AlertKind kind, string detail, TimeSpan duration)
    {
        // Information, not Warning: callers turn Failed results into their own warnings (NotificationFailed).
        _log.Information("Alert {Key} via {Channel} failed: {Detail}", alert.Key, channel.Name, detail);
        return Result(channel, alert, NotificationStatus.Failed, kind, detail, duration);
    }

    private static NotificationResult Result(INotificationChannel channel, Alert alert, NotificationStatus status, AlertKind kind, string detail, TimeSpan duration) => new()
    {
        Channel = channel.Name,
        Status = status,
        Kind = kind,
        Detail = detail,
        Duration = duration,
        AlertKey = alert.Key,
        Title = alert.Title,
        Severity = alert.Severity,
    };

    private static string SuppressedBecause(AlertStateEntry? previous, DateTimeOffset now, TimeSpan window)
    {
        if (previous is null || previous.Severity == AlertSeverity.OK)
        {
            return "OK with no earlier problem to recover from (use -Force to send anyway).";
        }

        var ago = previous.LastSent is { } sent ? now - sent : TimeSpan.Zero;
        return $"the same {previous.Severity} alert was sent {Humanize(ago)} ago; it is repeated after {Humanize(window)} (use -Force to send anyway).";
    }

    private static string Humanize(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} min" : $"{span.TotalSeconds:0} s";
}
