using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace PgBackupTools.Engine.Notify;

/// <summary>E-mail through an SMTP server with MailKit: subject "[CRITICAL] PgBackupTools: title", plain-text body.</summary>
public sealed class SmtpChannel(SmtpSettings settings, TimeSpan timeout) : INotificationChannel
{
    public string Name => $"SMTP ({settings.Host}:{settings.EffectivePort})";

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var message = BuildMessage(alert);
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds) };
        try
        {
            await client.ConnectAsync(settings.Host, settings.EffectivePort, SocketOptions(settings.Tls), cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(settings.User))
            {
                await client.AuthenticateAsync(settings.User, settings.Password ?? "", cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var what = ex switch
            {
                AuthenticationException => $"the server refused the login of '{settings.User}'",
                OperationCanceledException or TimeoutException => $"no answer within {timeout.TotalSeconds:0.#} s",
                _ => ex.Message,
            };
            throw new NotificationDeliveryException(SecretRedactor.Redact($"SMTP {settings.Host}:{settings.EffectivePort}: {what}", [settings.Password]));
        }
    }

    internal MimeMessage BuildMessage(Alert alert)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        foreach (var to in settings.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Subject = AlertText.Subject(alert);
        message.Date = alert.Time;
        message.Headers.Add("X-PgBackupTools-Alert-Key", alert.Key);
        message.Body = new TextPart("plain") { Text = AlertText.Body(alert) };
        return message;
    }

    private static SecureSocketOptions SocketOptions(SmtpTlsMode mode) => mode switch
    {
        SmtpTlsMode.None => SecureSocketOptions.None,
        SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
        SmtpTlsMode.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}
