namespace PgBackupTools.Engine.Wal;

/// <summary>Segments missing from the archive: <see cref="First"/> to <see cref="Last"/>, both included.</summary>
public sealed record WalGap(WalFileName First, WalFileName Last, ulong Count)
{
    public override string ToString() => Count == 1 ? First.Name : $"{First.Name} to {Last.Name} ({Count} segments)";
}
