using PgBackupTools.Engine.Postgres;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>Feeds a byte array to a scanner the way a pipe would: in pieces of arbitrary size.</summary>
internal static class ArchiveScannerFeeder
{
    public static CustomArchiveScannerResult ScanWhole(byte[] archive) => ScanInPieces(archive, _ => archive.Length);

    public static CustomArchiveScannerResult ScanByteByByte(byte[] archive) => ScanInPieces(archive, _ => 1);

    /// <summary>Random piece sizes from 1 byte up to <paramref name="maxPiece"/>, reproducible by seed.</summary>
    public static CustomArchiveScannerResult ScanRandomPieces(byte[] archive, int seed, int maxPiece)
    {
        var random = new Random(seed);
        // Mix tiny pieces with large ones so boundaries land inside every kind of field.
        return ScanInPieces(archive, _ => random.Next(4) == 0 ? random.Next(1, 6) : random.Next(1, maxPiece + 1));
    }

    public static CustomArchiveScannerResult ScanInPieces(byte[] archive, Func<int, int> nextPieceSize)
    {
        var scanner = new CustomArchiveScanner();
        Observe(scanner, archive, nextPieceSize);
        return scanner.Complete();
    }

    public static void Observe(CustomArchiveScanner scanner, ReadOnlySpan<byte> bytes, Func<int, int> nextPieceSize)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            var size = Math.Min(Math.Max(1, nextPieceSize(offset)), bytes.Length - offset);
            scanner.Observe(bytes.Slice(offset, size));
            offset += size;
        }
    }
}
