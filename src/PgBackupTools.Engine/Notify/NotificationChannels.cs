namespace PgBackupTools.Engine.Notify;

/// <summary>The channels a configuration describes, in a fixed order.</summary>
public static class NotificationChannels
{
    public static IReadOnlyList<INotificationChannel> From(NotificationConfig config)
    {
        var channels = new List<INotificationChannel>();
        if (config.Smtp is not null)
        {
            channels.Add(new SmtpChannel(config.Smtp, config.Timeout));
        }

        if (config.Slack is not null)
        {
            channels.Add(new SlackChannel(config.Slack, config.Timeout));
        }

        if (config.Teams is not null)
        {
            channels.Add(new TeamsChannel(config.Teams, config.Timeout));
        }

        if (config.Telegram is not null)
        {
            channels.Add(new TelegramChannel(config.Telegram, config.Timeout));
        }

        if (config.Webhook is not null)
        {
            channels.Add(new WebhookChannel(config.Webhook, config.Timeout));
        }

        return channels;
    }
}
