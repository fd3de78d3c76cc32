using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PgBackupTools.Engine.Notify;
using Xunit;

namespace PgBackupTools.Tests.Notify;

public sealed class ChannelPayloadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Slack_posts_text_and_blocks_with_the_facts()
    {
        using var server = new RecordingHttpServer();
        var channel = new SlackChannel(new SlackSettings(new Uri(server.BaseUri, "/services/T000/B000/secretpart")), Timeout);

        await channel.SendAsync(TestAlerts.Critical(), CancellationToken.None);

        var request = server.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/services/T000/B000/secretpart", request.Path);
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
        var json = request.Json;
        Assert.Equal("[CRITICAL] PgBackupTools: Backup of shop is 26 h old", json.GetProperty("text").GetString());
        var blocks = json.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Contains("&lt;check&gt; &amp; fix", blocks[1].GetProperty("text").GetProperty("text").GetString());
        var fields = blocks[2].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList();
        Assert.Equal(["*Database*\nshop", "*Backup age*\n26 h", "*Free space*\n12 GB"], fields);
        Assert.DoesNotContain("secretpart", channel.Name);
    }

    [Fact]
    public async Task Teams_posts_an_adaptive_card_with_a_fact_set()
    {
        using var server = new RecordingHttpServer();
        await new TeamsChannel(new TeamsSettings(new Uri(server.BaseUri, "/workflows/abc")), Timeout).SendAsync(TestAlerts.Critical(), CancellationToken.None);

        var json = server.Single().Json;
        Assert.Equal("message", json.GetProperty("type").GetString());
        var attachment = json.GetProperty("attachments")[0];
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        var body = card.GetProperty("body").EnumerateArray().ToList();
        Assert.Equal("[CRITICAL] PgBackupTools: Backup of shop is 26 h old", body[0].GetProperty("text").GetString());
        Assert.Equal("Attention", body[0].GetProperty("color").GetString());
        var facts = body.Single(b => b.GetProperty("type").GetString() == "FactSet").GetProperty("facts").EnumerateArray().ToList();
        Assert.Equal("Backup age", facts[1].GetProperty("title").GetString());
        Assert.Equal("26 h", facts[1].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Telegram_posts_chat_id_and_text_to_the_bot_path()
    {
        using var server = new RecordingHttpServer();
        var settings = new TelegramSettings { BotToken = "123456:ABC-secret-token", ChatId = "-100777", BaseUri = server.BaseUri };
        var channel = new TelegramChannel(settings, Timeout);

        await channel.SendAsync(TestAlerts.Critical(), CancellationToken.None);

        var request = server.Single();
        Assert.Equal("/bot123456:ABC-secret-token/sendMessage", request.Path);
        Assert.Equal("-100777", request.Json.GetProperty("chat_id").GetString());
        var text = request.Json.GetProperty("text").GetString()!;
        Assert.StartsWith("[CRITICAL] PgBackupTools: Backup of shop is 26 h old", text);
        Assert.Contains("Backup age: 26 h", text);
        Assert.DoesNotContain("secret", channel.Name);
    }

    [Fact]
    public async Task Webhook_posts_the_alert_as_json_signed_over_the_exact_body()
    {
        using var server = new RecordingHttpServer();
        const string secret = "webhook-shared-secret";
        await new WebhookChannel(new WebhookSettings { Uri = new Uri(server.BaseUri, "/hook"), Secret = secret }, Timeout)
            .SendAsync(TestAlerts.Critical(), CancellationToken.None);

        var request = server.Single();
        var expected = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), request.Body)).ToLowerInvariant();
        Assert.Equal(expected, request.Headers[WebhookChannel.SignatureHeader]);
        var json = request.Json;
        Assert.Equal("health:repo-1", json.GetProperty("key").GetString());
        Assert.Equal("Critical", json.GetProperty("severity").GetString());
        Assert.Equal("Backup of shop is 26 h old", json.GetProperty("title").GetString());
        Assert.Equal("db01", json.GetProperty("source").GetString());
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 6, 0, 0, TimeSpan.Zero), json.GetProperty("time").GetDateTimeOffset());
        Assert.Equal(3, json.GetProperty("facts").GetArrayLength());
        Assert.Equal("Free space", json.GetProperty("facts")[2].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Webhook_without_secret_has_no_signature()
    {
        using var server = new RecordingHttpServer();
        await new WebhookChannel(new WebhookSettings { Uri = new Uri(server.BaseUri, "/hook") }, Timeout).SendAsync(TestAlerts.Critical(), CancellationToken.None);

        Assert.False(server.Single().Headers.ContainsKey(WebhookChannel.SignatureHeader));
        Assert.Equal(JsonValueKind.Object, server.Single().Json.ValueKind);
    }
}
