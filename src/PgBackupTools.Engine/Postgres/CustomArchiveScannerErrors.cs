using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Postgres;

/// <summary>The two ways a pg_dump stream can be rejected by <see cref="CustomArchiveScanner"/>.</summary>
internal static class CustomArchiveScannerErrors
{
    public const string MalformedId = "DumpStreamMalformed";
    public const string UnsupportedId = "DumpFormatUnsupported";

    public static PgBackupException Malformed(string detail) =>
        new(MalformedId, ErrorKind.InvalidData,
            $"The pg_dump output is not a complete custom-format archive: {detail}. " +
            "If pg_dump failed or was killed, its own error output says why; otherwise the dump cannot be trusted.");

    public static PgBackupException Unsupported(string detail) =>
        new(UnsupportedId, ErrorKind.InvalidData,
            $"The pg_dump output cannot be scanned: {detail}.");
}
