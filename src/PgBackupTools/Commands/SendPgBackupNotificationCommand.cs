using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Security;
using PgBackupTools.Commands.Infrastructure;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Notify;

namespace PgBackupTools.Commands;

/// <summary>Sends an alert by e-mail, Slack, Teams, Telegram or a JSON webhook, with de-duplication.</summary>
[Cmdlet(VerbsCommunications.Send, "PgBackupNotification", DefaultParameterSetName = InlineSet)]
[OutputType("PgBackupTools.NotificationResult")]
public sealed class SendPgBackupNotificationCommand : PgBackupCmdlet
{
    private const string ConfigSet = "Config";
    private const string InlineSet = "Inline";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = "";

    [Parameter(Position = 1)]
    public string Text { get; set; } = "";

    [Parameter]
    [ValidateSet("OK", "Warning", "Critical", "Unknown")]
    public string Severity { get; set; } = "Warning";

    /// <summary>A hashtable, or an [ordered] one to keep the order of the facts.</summary>
    [Parameter]
    public IDictionary? Fact { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Key { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ConfigSet)]
    [ValidateNotNullOrEmpty]
    public string NotificationConfig { get; set; } = "";

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string? SmtpServer { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateRange(1, 65535)]
    public int? SmtpPort { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateSet("None", "StartTls", "SslOnConnect", "Auto")]
    public string SmtpTls { get; set; } = "Auto";

    [Parameter(ParameterSetName = InlineSet)]
    [Credential]
    public PSCredential? SmtpCredential { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string? From { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string[]? To { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string? SlackWebhookUri { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string? TeamsWebhookUri { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    public SecureString? TelegramBotToken { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string? TelegramChatId { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string? TelegramBaseUri { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string? WebhookUri { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    public SecureString? WebhookSecret { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    [Parameter(ParameterSetName = InlineSet)]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 15;

    [Parameter]
    public string? LogPath { get; set; }

    protected override string? LogPathOrNull() => LogPath is null ? null : ResolvePath(LogPath);

    protected override void ProcessRecordCore()
    {
        var config = ParameterSetName == ConfigSet
            ? NotificationConfigReader.Load(ResolvePath(NotificationConfig))
            : InlineConfig();
        var alert = new Alert
        {
            Severity = Enum.Parse<AlertSeverity>(Severity),
            Title = Title,
            Text = Text,
            Facts = Facts(),
            Time = DateTimeOffset.Now,
            Key = Key ?? "notify:" + Title,
        };
        var results = RunEngine((context, token) => new NotificationJob(context).RunAsync(alert, config, Force, token));
        foreach (var result in results)
        {
            WriteObject(result);
            if (result.Status == NotificationStatus.Failed)
            {
                // A warning, not an error: delivering the alert failed, not the job the alert is about.
                WriteWarning($"NotificationFailed: '{result.Title}' could not be sent via {result.Channel}: {result.Detail}");
            }
        }
    }

    private string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    private IReadOnlyList<AlertFact> Facts()
    {
        if (Fact is null)
        {
            return [];
        }

        var facts = new List<AlertFact>();
        foreach (DictionaryEntry entry in Fact)
        {
            facts.Add(new AlertFact(Convert.ToString(entry.Key, CultureInfo.CurrentCulture) ?? "", Convert.ToString(entry.Value, CultureInfo.CurrentCulture) ?? ""));
        }

        return facts;
    }

    private Engine.Notify.NotificationConfig InlineConfig() => new()
    {
        Smtp = SmtpServer is null ? null : Smtp(SmtpServer),
        Slack = SlackWebhookUri is null ? null : new SlackSettings(NotificationConfigReader.ParseHttpUri(SlackWebhookUri, "-SlackWebhookUri")),
        Teams = TeamsWebhookUri is null ? null : new TeamsSettings(NotificationConfigReader.ParseHttpUri(TeamsWebhookUri, "-TeamsWebhookUri")),
        Telegram = TelegramBotToken is null ? null : Telegram(TelegramBotToken),
        Webhook = WebhookUri is null ? null : new WebhookSettings
        {
            Uri = NotificationConfigReader.ParseHttpUri(WebhookUri, "-WebhookUri"),
            Secret = WebhookSecret is null ? null : Plain(WebhookSecret),
        },
        StatePath = StatePath is null ? null : ResolvePath(StatePath),
        Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
    };

    private SmtpSettings Smtp(string server)
    {
        if (From is null || To is null)
        {
            throw Missing("-SmtpServer needs -From and -To.");
        }

        return new SmtpSettings
        {
            Host = server,
            Port = SmtpPort,
            Tls = Enum.Parse<SmtpTlsMode>(SmtpTls),
            User = string.IsNullOrEmpty(SmtpCredential?.UserName) ? null : SmtpCredential.UserName,
            Password = SmtpCredential is null ? null : SmtpCredential.GetNetworkCredential().Password,
            From = From,
            To = To,
        };
    }

    private TelegramSettings Telegram(SecureString token)
    {
        if (TelegramChatId is null)
        {
            throw Missing("-TelegramBotToken needs -TelegramChatId.");
        }

        return new TelegramSettings
        {
            BotToken = Plain(token),
            ChatId = TelegramChatId,
            BaseUri = TelegramBaseUri is null ? TelegramSettings.DefaultBaseUri : NotificationConfigReader.ParseHttpUri(TelegramBaseUri, "-TelegramBaseUri"),
        };
    }

    private static string Plain(SecureString secret) => new NetworkCredential(string.Empty, secret).Password;

    private static PgBackupException Missing(string message) =>
        new(NotificationConfigReader.ErrorId, ErrorKind.InvalidArgument, message);
}
