using System.Text.Json.Nodes;

namespace PgBackupTools.Engine.Notify;

/// <summary>A Slack incoming webhook: "text" as the notification fallback, Block Kit blocks for the message.</summary>
public sealed class SlackChannel(SlackSettings settings, TimeSpan timeout) : INotificationChannel
{
    // Block Kit limits: header 150 characters, section text 3000, 10 fields per section.
    private const int HeaderLimit = 150;
    private const int SectionLimit = 3000;
    private const int FieldsPerSection = 10;

    public string Name => $"Slack ({settings.WebhookUri.Host})";

    public Task SendAsync(Alert alert, CancellationToken cancellationToken) =>
        HttpDelivery.PostToSecretWebhookAsync(settings.WebhookUri, Payload(alert), timeout, cancellationToken);

    internal static JsonObject Payload(Alert alert)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = AlertText.Truncate(AlertText.Subject(alert), HeaderLimit) },
            },
        };
        if (alert.Text.Length > 0)
        {
            blocks.Add(Section(Escape(alert.Text)));
        }

        foreach (var chunk in alert.Facts.Chunk(FieldsPerSection))
        {
            var fields = new JsonArray();
            foreach (var fact in chunk)
            {
                fields.Add(Markdown($"*{Escape(fact.Name)}*\n{Escape(fact.Value)}"));
            }

            blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
        }

        blocks.Add(new JsonObject { ["type"] = "context", ["elements"] = new JsonArray { Markdown(Escape(AlertText.Footer(alert))) } });
        return new JsonObject { ["text"] = AlertText.Subject(alert), ["blocks"] = blocks };
    }

    private static JsonObject Section(string markdown) =>
        new() { ["type"] = "section", ["text"] = Markdown(AlertText.Truncate(markdown, SectionLimit)) };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    // Slack's mrkdwn treats only these three as control characters.
    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
