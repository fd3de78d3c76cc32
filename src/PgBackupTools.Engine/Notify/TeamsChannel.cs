using System.Text.Json.Nodes;

namespace PgBackupTools.Engine.Notify;

/// <summary>
/// A Microsoft Teams webhook, as an Adaptive Card in a "message" envelope: the format Teams Workflows webhooks
/// accept (the older Office 365 connectors and their MessageCards are being retired).
/// </summary>
public sealed class TeamsChannel(TeamsSettings settings, TimeSpan timeout) : INotificationChannel
{
    public string Name => $"Teams ({settings.WebhookUri.Host})";

    public Task SendAsync(Alert alert, CancellationToken cancellationToken) =>
        HttpDelivery.PostToSecretWebhookAsync(settings.WebhookUri, Payload(alert), timeout, cancellationToken);

    internal static JsonObject Payload(Alert alert)
    {
        var body = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "TextBlock",
                ["text"] = AlertText.Subject(alert),
                ["weight"] = "Bolder",
                ["size"] = "Medium",
                ["wrap"] = true,
                ["color"] = Color(alert.Severity),
            },
        };
        if (alert.Text.Length > 0)
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = alert.Text, ["wrap"] = true });
        }

        if (alert.Facts.Count > 0)
        {
            var facts = new JsonArray();
            foreach (var fact in alert.Facts)
            {
                facts.Add(new JsonObject { ["title"] = fact.Name, ["value"] = fact.Value });
            }

            body.Add(new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
        }

        body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = AlertText.Footer(alert), ["isSubtle"] = true, ["size"] = "Small", ["wrap"] = true });
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["summary"] = AlertText.Subject(alert),
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    private static string Color(AlertSeverity severity) => severity switch
    {
        AlertSeverity.OK => "Good",
        AlertSeverity.Warning => "Warning",
        AlertSeverity.Critical => "Attention",
        _ => "Default",
    };
}
