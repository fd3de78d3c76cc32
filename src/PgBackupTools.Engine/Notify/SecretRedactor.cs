namespace PgBackupTools.Engine.Notify;

/// <summary>Replaces every occurrence of the given secrets (tokens, webhook paths, passwords) with "***".</summary>
internal static class SecretRedactor
{
    public static string Redact(string text, IEnumerable<string?> secrets)
    {
        foreach (var secret in secrets)
        {
            // Very short "secrets" would shred the message and protect nothing.
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }
}
