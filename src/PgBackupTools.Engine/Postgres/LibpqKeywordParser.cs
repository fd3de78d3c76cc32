using System.Text;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Splits libpq "keyword = value" connection strings. Values may be single-quoted; a backslash escapes the next
/// character. Returns false for text that is not clearly libpq syntax (e.g. Npgsql's "Host=a;Port=5"), so the
/// caller can try another syntax.
/// </summary>
internal static class LibpqKeywordParser
{
    public static bool TryParse(string text, out IReadOnlyList<KeyValuePair<string, string>> keywords)
    {
        var result = new List<KeyValuePair<string, string>>();
        keywords = result;
        var i = 0;
        while (true)
        {
            SkipWhitespace(text, ref i);
            if (i == text.Length)
                return result.Count > 0;

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
                i++;
            var key = text[keyStart..i];
            SkipWhitespace(text, ref i);
            if (key.Length == 0 || i == text.Length || text[i] != '=')
                return false;
            i++;
            SkipWhitespace(text, ref i);

            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                while (true)
                {
                    if (i == text.Length)
                        return false;
                    if (text[i] == '\\' && i + 1 < text.Length)
                        i++;
                    else if (text[i] == '\'')
                        break;
                    value.Append(text[i++]);
                }
                i++;
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    // Unquoted ';' or '=' means Npgsql syntax, not a libpq value.
                    if (text[i] is ';' or '=')
                        return false;
                    if (text[i] == '\\' && i + 1 < text.Length)
                        i++;
                    value.Append(text[i++]);
                }
            }
            result.Add(new(key, value.ToString()));
        }
    }

    private static void SkipWhitespace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
            i++;
    }
}
