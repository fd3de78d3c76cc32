using System.Globalization;
using System.Text.Json;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Notify;

/// <summary>
/// Reads a notification config file (schema in docs/notifications.md). Any string value may be "env:NAME" to
/// take it from an environment variable, so secrets need not be stored in the file. Every problem is a
/// NotificationConfigInvalid error naming the setting, never a value.
/// </summary>
public static class NotificationConfigReader
{
    public const string ErrorId = "NotificationConfigInvalid";

    private const string EnvPrefix = "env:";

    private static readonly string[] TopLevel = ["$schema", "repeatAfterHours", "timeoutSeconds", "statePath", "smtp", "slack", "teams", "telegram", "webhook"];

    public static NotificationConfig Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PgBackupException("NotificationConfigNotFound", ErrorKind.ObjectNotFound, $"Notification config '{path}' does not exist.", ex) { Target = path };
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var config = Read(document.RootElement, path);
            var statePath = Text(document.RootElement, "statePath", "statePath", path);
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return config with { StatePath = statePath is null ? NotificationConfig.StatePathFor(path) : Path.GetFullPath(statePath, directory) };
        }
        catch (JsonException ex)
        {
            // JsonException's message names line and position only, not content.
            throw Invalid(path, $"it is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>An absolute http(s) URI, or NotificationConfigInvalid naming the setting (not the value: URIs hold tokens).</summary>
    public static Uri ParseHttpUri(string value, string setting, string? source = null)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return uri;
        }

        throw Invalid(source, $"{setting} must be an absolute http:// or https:// URI.");
    }

    private static NotificationConfig Read(JsonElement root, string source)
    {
        RequireObject(root, "the top level", source);
        RejectUnknown(root, TopLevel, "", source);
        var config = new NotificationConfig
        {
            Smtp = Section(root, "smtp", source, ReadSmtp),
            Slack = Section(root, "slack", source, (e, s) =>
            {
                RejectUnknown(e, ["webhookUri"], "slack.", s);
                return new SlackSettings(ParseHttpUri(RequiredText(e, "webhookUri", "slack.webhookUri", s), "slack.webhookUri", s));
            }),
            Teams = Section(root, "teams", source, (e, s) =>
            {
                RejectUnknown(e, ["webhookUri"], "teams.", s);
                return new TeamsSettings(ParseHttpUri(RequiredText(e, "webhookUri", "teams.webhookUri", s), "teams.webhookUri", s));
            }),
            Telegram = Section(root, "telegram", source, ReadTelegram),
            Webhook = Section(root, "webhook", source, (e, s) =>
            {
                RejectUnknown(e, ["uri", "secret"], "webhook.", s);
                return new WebhookSettings
                {
                    Uri = ParseHttpUri(RequiredText(e, "uri", "webhook.uri", s), "webhook.uri", s),
                    Secret = Text(e, "secret", "webhook.secret", s),
                };
            }),
        };
        if (Number(root, "repeatAfterHours", source) is { } hours)
        {
            config = config with { RepeatAfter = TimeSpan.FromHours(hours) };
        }

        if (Number(root, "timeoutSeconds", source) is { } seconds)
        {
            if (seconds <= 0)
            {
                throw Invalid(source, "timeoutSeconds must be greater than 0.");
            }

            config = config with { Timeout = TimeSpan.FromSeconds(seconds) };
        }

        return config.HasChannel ? config : throw Invalid(source, "it configures no channel; add at least one of smtp, slack, teams, telegram or webhook.");
    }

    private static SmtpSettings ReadSmtp(JsonElement e, string source)
    {
        RejectUnknown(e, ["host", "port", "tls", "user", "password", "from", "to"], "smtp.", source);
        var tlsText = Text(e, "tls", "smtp.tls", source);
        SmtpTlsMode tls = SmtpTlsMode.Auto;
        if (tlsText is not null && !Enum.TryParse(tlsText, ignoreCase: true, out tls))
        {
            throw Invalid(source, "smtp.tls must be one of None, StartTls, SslOnConnect, Auto.");
        }

        var port = Number(e, "port", source, "smtp.port");
        if (port is not null && (port < 1 || port > 65535 || port != Math.Floor(port.Value)))
        {
            throw Invalid(source, "smtp.port must be a whole number from 1 to 65535.");
        }

        var to = TextList(e, "to", "smtp.to", source);
        if (to.Count == 0)
        {
            throw Invalid(source, "smtp.to must name at least one recipient.");
        }

        return new SmtpSettings
        {
            Host = RequiredText(e, "host", "smtp.host", source),
            Port = port is null ? null : (int)port.Value,
            Tls = tls,
            User = Text(e, "user", "smtp.user", source),
            Password = Text(e, "password", "smtp.password", source),
            From = RequiredText(e, "from", "smtp.from", source),
            To = to,
        };
    }

    private static TelegramSettings ReadTelegram(JsonElement e, string source)
    {
        RejectUnknown(e, ["botToken", "chatId", "baseUri"], "telegram.", source);
        var baseUri = Text(e, "baseUri", "telegram.baseUri", source);
        return new TelegramSettings
        {
            BotToken = RequiredText(e, "botToken", "telegram.botToken", source),
            ChatId = RequiredText(e, "chatId", "telegram.chatId", source),
            BaseUri = baseUri is null ? TelegramSettings.DefaultBaseUri : ParseHttpUri(baseUri, "telegram.baseUri", source),
        };
    }

    private static T? Section<T>(JsonElement root, string name, string source, Func<JsonElement, string, T> read)
        where T : class
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        RequireObject(element, name, source);
        return read(element, source);
    }

    private static string RequiredText(JsonElement e, string name, string setting, string source) =>
        Text(e, name, setting, source) is { Length: > 0 } text ? text : throw Invalid(source, $"{setting} is required.");

    private static string? Text(JsonElement e, string name, string setting, string source)
    {
        if (!e.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => Resolve(value.GetString()!, setting, source),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw Invalid(source, $"{setting} must be a string."),
        };
    }

    private static IReadOnlyList<string> TextList(JsonElement e, string name, string setting, string source)
    {
        if (!e.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return [Resolve(value.GetString()!, setting, source)];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(source, $"{setting} must be a string or an array of strings.");
        }

        return value.EnumerateArray()
            .Select((item, i) => item.ValueKind == JsonValueKind.String
                ? Resolve(item.GetString()!, $"{setting}[{i}]", source)
                : throw Invalid(source, $"{setting}[{i}] must be a string."))
            .ToList();
    }

    private static double? Number(JsonElement e, string name, string source, string? setting = null)
    {
        setting ??= name;
        if (!e.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        // A string, e.g. "env:SMTP_PORT".
        if (value.ValueKind == JsonValueKind.String
            && double.TryParse(Resolve(value.GetString()!, setting, source), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        throw Invalid(source, $"{setting} must be a number.");
    }

    private static string Resolve(string value, string setting, string source)
    {
        if (!value.StartsWith(EnvPrefix, StringComparison.Ordinal))
        {
            return value;
        }

        var variable = value[EnvPrefix.Length..];
        var resolved = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(resolved)
            ? throw Invalid(source, $"{setting} refers to environment variable '{variable}', which is not set.")
            : resolved;
    }

    private static void RequireObject(JsonElement e, string what, string source)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"{what} must be a JSON object.");
        }
    }

    private static void RejectUnknown(JsonElement e, string[] known, string prefix, string source)
    {
        foreach (var property in e.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Invalid(source, $"unknown setting '{prefix}{property.Name}' (known: {string.Join(", ", known)}).");
            }
        }
    }

    private static PgBackupException Invalid(string? source, string problem) => source is null
        ? new(ErrorId, ErrorKind.InvalidArgument, $"Invalid notification setting: {problem}")
        : new(ErrorId, ErrorKind.InvalidData, $"Notification config '{source}' is invalid: {problem} See docs/notifications.md.") { Target = source };
}
