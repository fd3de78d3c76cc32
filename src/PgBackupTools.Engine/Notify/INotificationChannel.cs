namespace PgBackupTools.Engine.Notify;

/// <summary>
/// One way to deliver an alert. SendAsync throws NotificationDeliveryException (message free of secrets) when the
/// alert was not delivered; the Notifier turns that into a Failed result.
/// </summary>
public interface INotificationChannel
{
    /// <summary>Display name, e.g. "Slack (hooks.slack.com)". Never contains a secret.</summary>
    string Name { get; }

    Task SendAsync(Alert alert, CancellationToken cancellationToken);
}
