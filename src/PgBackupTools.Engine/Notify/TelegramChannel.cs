using System.Text.Json.Nodes;

namespace PgBackupTools.Engine.Notify;

/// <summary>
/// Telegram Bot API sendMessage, plain text (no parse_mode, so nothing needs escaping). The bot token is part of
/// the URL, so every failure message is redacted and the channel's name shows only the chat.
/// </summary>
public sealed class TelegramChannel(TelegramSettings settings, TimeSpan timeout) : INotificationChannel
{
    private const int MessageLimit = 4096;

    public string Name => $"Telegram (chat {settings.ChatId})";

    public Task SendAsync(Alert alert, CancellationToken cancellationToken) =>
        HttpDelivery.PostAsync(
            SendMessageUri(settings),
            JsonBody.ToUtf8(Payload(alert, settings.ChatId)),
            new Dictionary<string, string>(),
            timeout,
            [settings.BotToken, Uri.EscapeDataString(settings.BotToken)],
            cancellationToken);

    internal static Uri SendMessageUri(TelegramSettings settings)
    {
        var baseText = settings.BaseUri.ToString().TrimEnd('/');
        return new Uri($"{baseText}/bot{settings.BotToken}/sendMessage");
    }

    internal static JsonObject Payload(Alert alert, string chatId) => new()
    {
        ["chat_id"] = chatId,
        ["text"] = AlertText.Truncate(AlertText.Subject(alert) + "\n\n" + AlertText.Body(alert), MessageLimit),
        ["disable_web_page_preview"] = true,
    };
}
