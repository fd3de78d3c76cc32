using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Logging;

namespace PgBackupTools.Engine.Notify;

/// <summary>Send-PgBackupNotification: one alert through the configured channels, with the run logged like other jobs.</summary>
public sealed class NotificationJob(JobContext context)
{
    public async Task<IReadOnlyList<NotificationResult>> RunAsync(Alert alert, NotificationConfig config, bool force, CancellationToken cancellationToken)
    {
        if (!config.HasChannel)
        {
            throw new PgBackupException(
                "NoNotificationChannel",
                ErrorKind.InvalidArgument,
                "No notification channel is configured. Give -NotificationConfig, or at least one of -SmtpServer, -SlackWebhookUri, -TeamsWebhookUri, -TelegramBotToken or -WebhookUri.");
        }

        using var log = RunLog.Create(context, "Send-PgBackupNotification");
        var options = new NotificationOptions { StatePath = config.StatePath, RepeatAfter = config.RepeatAfter, Force = force };
        return await new Notifier(context.Time, log.Logger)
            .SendAsync(alert, NotificationChannels.From(config), options, cancellationToken)
            .ConfigureAwait(false);
    }
}
