namespace PgBackupTools.Engine.Physical;

public enum TarEntryType
{
    Regular,
    Directory,
    SymbolicLink,

    /// <summary>Hard links, devices, FIFOs and anything else; pg_basebackup writes none of them.</summary>
    Other,
}

/// <summary>
/// One member of a tar stream, with PAX and GNU long-name overrides already applied.
/// </summary>
/// <param name="Name">The full path as stored (ustar prefix joined with "/"); directories usually end in "/".</param>
/// <param name="TypeFlag">The typeflag byte (an old-style NUL reads as '0'), to tell kinds of <see cref="TarEntryType.Other"/> apart.</param>
public sealed record TarEntry(
    string Name,
    TarEntryType Type,
    long Size,
    int Mode,
    string? LinkTarget,
    DateTimeOffset ModificationTime,
    char TypeFlag);
