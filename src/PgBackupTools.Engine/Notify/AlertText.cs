using System.Globalization;
using System.Text;

namespace PgBackupTools.Engine.Notify;

/// <summary>The plain-text rendering shared by e-mail and Telegram, and the subject line every channel uses.</summary>
public static class AlertText
{
    public static string SeverityLabel(AlertSeverity severity) => severity.ToString().ToUpperInvariant();

    public static string Subject(Alert alert) => $"[{SeverityLabel(alert.Severity)}] PgBackupTools: {alert.Title}";

    public static string Footer(Alert alert) =>
        $"{alert.Source} at {alert.Time.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)}";

    public static string Body(Alert alert)
    {
        var body = new StringBuilder();
        if (alert.Text.Length > 0)
        {
            body.Append(alert.Text.TrimEnd()).Append('\n').Append('\n');
        }

        foreach (var fact in alert.Facts)
        {
            body.Append(fact.Name).Append(": ").Append(fact.Value).Append('\n');
        }

        body.Append("Severity: ").Append(alert.Severity).Append('\n');
        body.Append("Source: ").Append(Footer(alert)).Append('\n');
        return body.ToString();
    }

    public static string Truncate(string text, int maxLength) =>
        text.Length <= maxLength ? text : text[..(maxLength - 1)] + "…";
}
