namespace PgBackupTools.Engine.Repository;

/// <summary>What a removal did: how many backup folders went and how many bytes they held.</summary>
public sealed record BackupRemoval(int Folders, long BytesFreed);
