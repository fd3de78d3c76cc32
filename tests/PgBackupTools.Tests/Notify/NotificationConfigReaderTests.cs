using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Notify;
using Xunit;

namespace PgBackupTools.Tests.Notify;

public sealed class NotificationConfigReaderTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pgbt-notify-config-");

    [Fact]
    public void Reads_every_channel_and_resolves_env_values()
    {
        var variable = "PGBT_TEST_TG_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, "111:from-env");
        try
        {
            var path = Write($$"""
                {
                  // comments are allowed
                  "repeatAfterHours": 2,
                  "timeoutSeconds": 5,
                  "smtp": { "host": "mail.example.org", "tls": "starttls", "user": "alerts", "password": "pw", "from": "pg@example.org", "to": ["a@example.org", "b@example.org"] },
                  "slack": { "webhookUri": "https://hooks.slack.com/services/T/B/X" },
                  "teams": { "webhookUri": "https://example.webhook.office.com/x" },
                  "telegram": { "botToken": "env:{{variable}}", "chatId": -100123 },
                  "webhook": { "uri": "https://ops.example.org/hook", "secret": "hmac" },
                }
                """);

            var config = NotificationConfigReader.Load(path);

            Assert.Equal(TimeSpan.FromHours(2), config.RepeatAfter);
            Assert.Equal(TimeSpan.FromSeconds(5), config.Timeout);
            Assert.Equal(SmtpTlsMode.StartTls, config.Smtp!.Tls);
            Assert.Equal(587, config.Smtp.EffectivePort);
            Assert.Equal(["a@example.org", "b@example.org"], config.Smtp.To);
            Assert.Equal("111:from-env", config.Telegram!.BotToken);
            Assert.Equal("-100123", config.Telegram.ChatId);
            Assert.Equal(TelegramSettings.DefaultBaseUri, config.Telegram.BaseUri);
            Assert.Equal(path + ".state.json", config.StatePath);
            Assert.Equal(5, NotificationChannels.From(config).Count);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Missing_env_variable_is_named_and_no_value_is_shown()
    {
        var path = Write("""{ "webhook": { "uri": "https://ops.example.org/hook", "secret": "env:PGBT_SURELY_NOT_SET_42" } }""");

        var ex = Assert.Throws<PgBackupException>(() => NotificationConfigReader.Load(path));

        Assert.Equal("NotificationConfigInvalid", ex.ErrorId);
        Assert.Contains("PGBT_SURELY_NOT_SET_42", ex.Message);
        Assert.Contains("webhook.secret", ex.Message);
    }

    [Theory]
    [InlineData("""{ }""", "no channel")]
    [InlineData("""{ "slak": { } }""", "unknown setting 'slak'")]
    [InlineData("""{ "slack": { "webhookUri": "not a uri with-secret" } }""", "slack.webhookUri must be an absolute")]
    [InlineData("""{ "smtp": { "host": "h", "from": "f@x", "to": [] } }""", "smtp.to")]
    [InlineData("""{ "smtp": { "host": "h", "from": "f@x", "to": "t@x", "tls": "maybe" } }""", "smtp.tls")]
    [InlineData("""{ "telegram": { "botToken": "t" } }""", "telegram.chatId is required")]
    [InlineData("""{ "slack": """, "not valid JSON")]
    public void Invalid_configs_are_NotificationConfigInvalid(string json, string expected)
    {
        var ex = Assert.Throws<PgBackupException>(() => NotificationConfigReader.Load(Write(json)));

        Assert.Equal("NotificationConfigInvalid", ex.ErrorId);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("with-secret", ex.Message);
    }

    [Fact]
    public void Missing_file_is_NotificationConfigNotFound()
    {
        var ex = Assert.Throws<PgBackupException>(() => NotificationConfigReader.Load(Path.Combine(_dir.FullName, "nope.json")));

        Assert.Equal("NotificationConfigNotFound", ex.ErrorId);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N")[..8] + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
