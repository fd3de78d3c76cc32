using System.Globalization;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Physical;

internal static class TarErrors
{
    public static PgBackupException InvalidHeader(long offset, string problem) => new(
        "TarHeaderInvalid",
        ErrorKind.InvalidData,
        string.Create(CultureInfo.InvariantCulture, $"The tar stream has an invalid header at byte offset {offset}: {problem}. The stream is corrupt or is not a tar archive."))
    {
        Target = offset,
    };

    public static PgBackupException Invalid(long offset, string problem) => new(
        "TarStreamInvalid",
        ErrorKind.InvalidData,
        string.Create(CultureInfo.InvariantCulture, $"The tar stream is invalid at byte offset {offset}: {problem}."))
    {
        Target = offset,
    };

    public static PgBackupException Truncated(long offset, string where) => new(
        "TarStreamTruncated",
        ErrorKind.InvalidData,
        string.Create(CultureInfo.InvariantCulture, $"The tar stream ended at byte offset {offset} {where}. The archive is truncated: the writer stopped early or bytes were lost."))
    {
        Target = offset,
    };
}
