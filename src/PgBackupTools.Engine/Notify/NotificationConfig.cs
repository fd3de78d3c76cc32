namespace PgBackupTools.Engine.Notify;

public enum SmtpTlsMode
{
    None,
    StartTls,
    SslOnConnect,
    Auto,
}

/// <summary>Where and how alerts go. Loaded by NotificationConfigReader or built from cmdlet parameters.</summary>
public sealed record NotificationConfig
{
    public static readonly TimeSpan DefaultRepeatAfter = TimeSpan.FromHours(6);

    public SmtpSettings? Smtp { get; init; }

    public SlackSettings? Slack { get; init; }

    public TeamsSettings? Teams { get; init; }

    public TelegramSettings? Telegram { get; init; }

    public WebhookSettings? Webhook { get; init; }

    /// <summary>The same alert (key and severity) is not resent before this much time has passed.</summary>
    public TimeSpan RepeatAfter { get; init; } = DefaultRepeatAfter;

    /// <summary>Per-channel delivery timeout.</summary>
    public TimeSpan Timeout { get; init; } = HttpDelivery.DefaultTimeout;

    /// <summary>De-duplication state file; null turns de-duplication off (every alert is sent).</summary>
    public string? StatePath { get; init; }

    public bool HasChannel => Smtp is not null || Slack is not null || Teams is not null || Telegram is not null || Webhook is not null;

    /// <summary>"&lt;config&gt;.state.json", next to the config file.</summary>
    public static string StatePathFor(string configPath) => configPath + ".state.json";
}

public sealed record SmtpSettings
{
    public required string Host { get; init; }

    public int? Port { get; init; }

    public SmtpTlsMode Tls { get; init; } = SmtpTlsMode.Auto;

    public string? User { get; init; }

    /// <summary>Plain text only inside the engine; never logged or put in a message.</summary>
    public string? Password { get; init; }

    public required string From { get; init; }

    public required IReadOnlyList<string> To { get; init; }

    /// <summary>The usual port of the TLS mode when none is given: 465 for TLS on connect, 25 without TLS, else 587.</summary>
    public int EffectivePort => Port ?? Tls switch
    {
        SmtpTlsMode.SslOnConnect => 465,
        SmtpTlsMode.None => 25,
        _ => 587,
    };
}

/// <summary>A Slack incoming webhook. The URI itself is the secret.</summary>
public sealed record SlackSettings(Uri WebhookUri);

/// <summary>A Microsoft Teams webhook (Workflows "post to a channel when a webhook request is received"). The URI is the secret.</summary>
public sealed record TeamsSettings(Uri WebhookUri);

public sealed record TelegramSettings
{
    public static readonly Uri DefaultBaseUri = new("https://api.telegram.org");

    public required string BotToken { get; init; }

    public required string ChatId { get; init; }

    public Uri BaseUri { get; init; } = DefaultBaseUri;
}

/// <summary>Any HTTP endpoint that accepts the alert as JSON; with a secret, the body is signed (HMAC-SHA256).</summary>
public sealed record WebhookSettings
{
    public required Uri Uri { get; init; }

    public string? Secret { get; init; }
}
