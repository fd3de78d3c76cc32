using System.Text;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Reads the archive header (WriteHead in pg_backup_archiver.c): magic, version, integer and offset sizes, format,
/// compression, creation time, database name and the server and pg_dump versions.
/// </summary>
internal sealed class CustomArchiveScannerHeaderReader
{
    private const byte CustomFormat = 1;
    private const int CreationTimeFields = 7;

    private static ReadOnlySpan<byte> Magic => "PGDMP"u8;

    private readonly CustomArchiveScannerFieldReader _fields;
    private Step _step = Step.Magic;
    private int _creationTimeFieldsRead;

    public CustomArchiveScannerHeaderReader(CustomArchiveScannerFieldReader fields) => _fields = fields;

    private enum Step
    {
        Magic,
        Version,
        IntSize,
        OffsetSize,
        Format,
        Compression,
        CreationTime,
        DatabaseName,
        ServerVersion,
        DumpVersion,
        Done,
    }

    public Version Version { get; private set; } = new();

    public string? DatabaseName { get; private set; }

    public string? ServerVersion { get; private set; }

    public string? DumpVersion { get; private set; }

    public bool IsDone => _step == Step.Done;

    /// <summary>Consumes header bytes; true once the header is complete (the rest of the input is left).</summary>
    public bool TryAdvance(ref ReadOnlySpan<byte> input)
    {
        while (_step != Step.Done)
        {
            if (!TryReadStep(ref input))
                return false;
        }

        return true;
    }

    private bool TryReadStep(ref ReadOnlySpan<byte> input)
    {
        switch (_step)
        {
            case Step.Magic:
            {
                if (!input.IsEmpty && !_fields.InField && input[0] != Magic[0])
                    throw CustomArchiveScannerErrors.Malformed("it does not start with the PGDMP signature");
                if (!_fields.TryReadFixed(ref input, Magic.Length, out var magic))
                    return false;
                if (!magic.SequenceEqual(Magic))
                    throw CustomArchiveScannerErrors.Malformed("it does not start with the PGDMP signature");
                _step = Step.Version;
                return true;
            }

            case Step.Version:
            {
                if (!_fields.TryReadFixed(ref input, 3, out var version))
                    return false;
                Version = new Version(version[0], version[1], version[2]);
                if (!CustomArchiveScannerVersions.IsSupported(Version))
                {
                    throw CustomArchiveScannerErrors.Unsupported(
                        $"its archive format version is {Version.Major}.{Version.Minor}, and only " +
                        $"{CustomArchiveScannerVersions.Oldest.Major}.{CustomArchiveScannerVersions.Oldest.Minor} to " +
                        $"{CustomArchiveScannerVersions.Newest.Major}.{CustomArchiveScannerVersions.Newest.Minor} are understood; " +
                        "use a pg_dump no newer than PostgreSQL 17, or update PgBackupTools");
                }

                _step = Step.IntSize;
                return true;
            }

            case Step.IntSize:
            {
                if (!_fields.TryReadByte(ref input, out var size))
                    return false;
                if (size is < 1 or > 8)
                    throw CustomArchiveScannerErrors.Malformed($"its integer size is {size} bytes");
                _fields.IntSize = size;
                _step = Step.OffsetSize;
                return true;
            }

            case Step.OffsetSize:
            {
                if (!_fields.TryReadByte(ref input, out var size))
                    return false;
                if (size is < 1 or > 16)
                    throw CustomArchiveScannerErrors.Malformed($"its offset size is {size} bytes");
                _fields.OffsetSize = size;
                _step = Step.Format;
                return true;
            }

            case Step.Format:
            {
                if (!_fields.TryReadByte(ref input, out var format))
                    return false;
                if (format != CustomFormat)
                    throw CustomArchiveScannerErrors.Malformed($"its format code is {format}, not {CustomFormat} (custom)");
                _step = Step.Compression;
                return true;
            }

            case Step.Compression:
                if (!TryReadCompression(ref input, out var compression))
                    return false;
                if (compression is not null)
                {
                    throw CustomArchiveScannerErrors.Unsupported(
                        $"its table data is compressed ({compression}), so rows cannot be counted; run pg_dump with -Z0");
                }

                _step = Step.CreationTime;
                return true;

            case Step.CreationTime:
                if (!_fields.TryReadInt(ref input, out _))
                    return false;
                if (++_creationTimeFieldsRead == CreationTimeFields)
                    _step = Step.DatabaseName;
                return true;

            case Step.DatabaseName:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                DatabaseName = text;
                _step = Step.ServerVersion;
                return true;
            }

            case Step.ServerVersion:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                ServerVersion = text;
                _step = Step.DumpVersion;
                return true;
            }

            case Step.DumpVersion:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                DumpVersion = text;
                _step = Step.Done;
                return true;
            }

            default:
                throw new InvalidOperationException($"Unexpected header step {_step}.");
        }
    }

    /// <summary>Null when uncompressed; otherwise a description of the compression for the error message.</summary>
    private bool TryReadCompression(ref ReadOnlySpan<byte> input, out string? compression)
    {
        compression = null;
        if (Version >= CustomArchiveScannerVersions.CompressionAlgorithm)
        {
            // pg_compress_algorithm: 0 none, 1 gzip, 2 lz4, 3 zstd.
            if (!_fields.TryReadByte(ref input, out var algorithm))
                return false;
            compression = algorithm switch
            {
                0 => null,
                1 => "gzip",
                2 => "lz4",
                3 => "zstd",
                _ => $"algorithm {algorithm}",
            };
            return true;
        }

        // Before 1.15 a zlib level is stored; -1 is zlib's default level, so anything but 0 means gzip.
        if (!_fields.TryReadInt(ref input, out var level))
            return false;
        compression = level == 0 ? null : $"gzip level {level}";
        return true;
    }

    // Header strings come from pg_dump's client side before any encoding is declared; they are UTF-8 in practice.
    private bool TryReadText(ref ReadOnlySpan<byte> input, out string? text)
    {
        text = null;
        if (!_fields.TryReadString(ref input, keep: true, out var length, out var bytes))
            return false;
        if (length >= 0)
            text = Encoding.UTF8.GetString(bytes);
        return true;
    }
}
