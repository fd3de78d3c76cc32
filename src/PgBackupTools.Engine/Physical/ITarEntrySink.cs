namespace PgBackupTools.Engine.Physical;

/// <summary>
/// Receives a tar stream's members from <see cref="TarStreamParser"/>, in order: for each entry one OnEntryStart,
/// its data in pieces of any size (totalling <see cref="TarEntry.Size"/>), one OnEntryEnd; then one OnArchiveEnd.
/// </summary>
public interface ITarEntrySink
{
    void OnEntryStart(TarEntry entry);

    /// <summary>The span is only valid during the call.</summary>
    void OnEntryData(ReadOnlySpan<byte> data);

    void OnEntryEnd();

    void OnArchiveEnd();
}
