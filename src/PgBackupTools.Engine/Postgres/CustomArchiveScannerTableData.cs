namespace PgBackupTools.Engine.Postgres;

/// <summary>What one TABLE DATA block held: the table's exact row count as of the dump's snapshot.</summary>
/// <param name="Bytes">Bytes of COPY text in the block, without framing.</param>
public sealed record CustomArchiveScannerTableData(int DumpId, string? Schema, string Table, long Rows, long Bytes);
