using System.Text;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Maps the database encoding named in the archive's ENCODING entry to a .NET encoding, so that TOC names from a
/// non-UTF-8 database decode to the same text the server reports. Unknown encodings fall back to UTF-8.
/// </summary>
internal static class CustomArchiveScannerEncodings
{
    private static readonly Dictionary<string, int> CodePages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["LATIN1"] = 28591,
        ["LATIN2"] = 28592,
        ["LATIN3"] = 28593,
        ["LATIN4"] = 28594,
        ["LATIN5"] = 28599,
        ["LATIN7"] = 28603,
        ["LATIN9"] = 28605,
        ["ISO_8859_5"] = 28595,
        ["ISO_8859_6"] = 28596,
        ["ISO_8859_7"] = 28597,
        ["ISO_8859_8"] = 28598,
        ["WIN866"] = 866,
        ["WIN874"] = 874,
        ["WIN1250"] = 1250,
        ["WIN1251"] = 1251,
        ["WIN1252"] = 1252,
        ["WIN1253"] = 1253,
        ["WIN1254"] = 1254,
        ["WIN1255"] = 1255,
        ["WIN1256"] = 1256,
        ["WIN1257"] = 1257,
        ["WIN1258"] = 1258,
        ["KOI8R"] = 20866,
        ["KOI8U"] = 21866,
        ["EUC_JP"] = 51932,
        ["EUC_KR"] = 51949,
        ["EUC_CN"] = 936,
    };

    public static Encoding ForPostgresName(string name)
    {
        if (!CodePages.TryGetValue(name, out var codePage))
            return Encoding.UTF8;
        // The provider only serves code pages .NET lacks built in; Latin-1 is the one built-in page listed here.
        return CodePagesEncodingProvider.Instance.GetEncoding(codePage)
            ?? (codePage == Encoding.Latin1.CodePage ? Encoding.Latin1 : Encoding.UTF8);
    }

    /// <summary>Extracts 'UTF8' from the ENCODING entry's definition, "SET client_encoding = 'UTF8';".</summary>
    public static string? NameFromDefinition(string definition)
    {
        var start = definition.IndexOf('\'');
        if (start < 0)
            return null;
        var end = definition.IndexOf('\'', start + 1);
        return end < 0 ? null : definition[(start + 1)..end];
    }
}
