using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PgBackupTools.Engine.Notify;

/// <summary>
/// The alert as JSON to any HTTP endpoint. With a secret, "X-PgBackupTools-Signature: sha256=&lt;hex&gt;" is the
/// HMAC-SHA256 of the exact body bytes, so the receiver can check origin and integrity.
/// </summary>
public sealed class WebhookChannel(WebhookSettings settings, TimeSpan timeout) : INotificationChannel
{
    public const string SignatureHeader = "X-PgBackupTools-Signature";

    public string Name => $"Webhook ({HttpDelivery.Endpoint(settings.Uri)})";

    public Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var body = JsonBody.ToUtf8(Payload(alert));
        var headers = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(settings.Secret))
        {
            headers[SignatureHeader] = Signature(body, settings.Secret);
        }

        return HttpDelivery.PostAsync(settings.Uri, body, headers, timeout, [settings.Secret, settings.Uri.Query.TrimStart('?')], cancellationToken);
    }

    public static string Signature(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexString(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), body)).ToLowerInvariant();

    internal static JsonObject Payload(Alert alert)
    {
        var facts = new JsonArray();
        foreach (var fact in alert.Facts)
        {
            facts.Add(new JsonObject { ["name"] = fact.Name, ["value"] = fact.Value });
        }

        return new JsonObject
        {
            ["key"] = alert.Key,
            ["severity"] = alert.Severity.ToString(),
            ["title"] = alert.Title,
            ["text"] = alert.Text,
            ["facts"] = facts,
            ["source"] = alert.Source,
            ["time"] = alert.Time.ToString("O"),
            ["subject"] = AlertText.Subject(alert),
        };
    }
}
