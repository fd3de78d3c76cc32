using System.Globalization;
using System.Text;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Physical;

/// <summary>
/// Watches a pg_basebackup tar stream pass by (fed by <see cref="TarStreamParser"/>): keeps backup_label,
/// tablespace_map and backup_manifest, takes the CRC32C of every file, and at the end checks the files against the manifest.
/// </summary>
public sealed class BaseBackupScanner : ITarEntrySink
{
    public const int DefaultMaxManifestBytes = 64 << 20;
    private const int MaxSmallFileBytes = 1 << 20;
    private const string LabelName = "backup_label";
    private const string MapName = "tablespace_map";
    private const string ManifestName = "backup_manifest";

    private readonly int _maxManifestBytes;
    private readonly Dictionary<string, SeenFile> _seen = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private readonly Crc32C _crc = new();
    private string? _current;
    private MemoryStream? _buffer;
    private long _currentBytes;
    private byte[]? _label;
    private byte[]? _map;
    private byte[]? _manifest;
    private long _totalBytes;
    private bool _archiveEnded;

    public BaseBackupScanner(int maxManifestBytes = DefaultMaxManifestBytes) => _maxManifestBytes = maxManifestBytes;

    public void OnEntryStart(TarEntry entry)
    {
        var name = TarPaths.Normalize(entry.Name);
        if (entry.Type == TarEntryType.SymbolicLink && name.StartsWith("pg_tblspc/", StringComparison.Ordinal))
        {
            throw TablespacesNotSupported($"'{name}' -> '{entry.LinkTarget}'");
        }

        if (entry.Type != TarEntryType.Regular)
        {
            return;
        }

        if (_seen.ContainsKey(name))
        {
            _problems.Add($"'{name}' appears more than once in the tar stream.");
        }

        _current = name;
        _currentBytes = 0;
        _crc.Reset();
        _buffer = name is LabelName or MapName or ManifestName ? new MemoryStream() : null;
    }

    public void OnEntryData(ReadOnlySpan<byte> data)
    {
        if (_current is null)
        {
            return;
        }

        _crc.Append(data);
        _currentBytes += data.Length;
        if (_buffer is null)
        {
            return;
        }

        var limit = _current == ManifestName ? _maxManifestBytes : MaxSmallFileBytes;
        if (_currentBytes > limit)
        {
            throw new PgBackupException(
                "BaseBackupFileTooLarge",
                ErrorKind.LimitsExceeded,
                string.Create(CultureInfo.InvariantCulture, $"The base backup's {_current} is larger than {limit} bytes, more than a real one can be. The stream is damaged or not a pg_basebackup tar."))
            {
                Target = _current,
            };
        }

        _buffer.Write(data);
    }

    public void OnEntryEnd()
    {
        if (_current is null)
        {
            return;
        }

        _seen[_current] = new SeenFile(_currentBytes, _crc.Value);
        _totalBytes += _currentBytes;
        var content = _buffer?.ToArray();
        switch (_current)
        {
            case LabelName:
                _label = content;
                break;
            case MapName:
                _map = content;
                if (content!.Length > 0 && !string.IsNullOrWhiteSpace(Encoding.UTF8.GetString(content)))
                {
                    throw TablespacesNotSupported("tablespace_map lists " + Encoding.UTF8.GetString(content).Trim().Replace('\n', ';'));
                }

                break;
            case ManifestName:
                _manifest = content;
                break;
        }

        _current = null;
        _buffer = null;
    }

    public void OnArchiveEnd() => _archiveEnded = true;

    /// <summary>
    /// Checks the stream against its manifest. Throws when the stream cannot be a complete base backup at all
    /// (not ended, no backup_label or backup_manifest, manifest checksum wrong); lists file disagreements in Problems.
    /// </summary>
    /// <param name="separateManifest">
    /// backup_manifest when it travels beside the tar instead of inside it (BASE_BACKUP sends it after the archive).
    /// A tar that holds one as well must hold the same bytes.
    /// </param>
    public BaseBackupScanResult Complete(byte[]? separateManifest = null)
    {
        if (!_archiveEnded)
        {
            throw Invalid("BaseBackupIncomplete", "The base backup's tar stream did not reach its end-of-archive blocks, so the backup is incomplete.");
        }

        var label = BackupLabel.Parse(Encoding.UTF8.GetString(
            _label ?? throw Invalid("BackupLabelMissing", "The base backup's tar stream has no backup_label, so it cannot be restored. It was not written by pg_basebackup.")));
        var manifestBytes = separateManifest ?? _manifest
            ?? throw Invalid("BackupManifestMissing", "The base backup's tar stream has no backup_manifest. Run pg_basebackup without --no-manifest.");
        if (separateManifest is not null && _manifest is not null && !separateManifest.AsSpan().SequenceEqual(_manifest))
        {
            _problems.Add("The backup_manifest inside the tar stream differs from the one stored beside it.");
        }

        var manifest = PgBackupManifest.Parse(manifestBytes);
        manifest.VerifyChecksum();

        var problems = new List<string>(_problems);
        var verified = CompareWithManifest(manifest, problems);
        if (manifest.WalRanges.Count > 0 && !manifest.WalRanges.Any(r => r.StartLsn == label.StartLsn))
        {
            problems.Add($"backup_label starts at {label.StartLsn}, but no WAL range in backup_manifest starts there.");
        }

        return new BaseBackupScanResult
        {
            Label = label,
            LabelText = Encoding.UTF8.GetString(_label!),
            TablespaceMap = _map is null ? null : Encoding.UTF8.GetString(_map),
            Manifest = manifest,
            ManifestBytes = manifestBytes,
            FileCount = _seen.Count,
            TotalBytes = _totalBytes,
            VerifiedChecksumCount = verified,
            Problems = problems,
        };
    }

    private long CompareWithManifest(PgBackupManifest manifest, List<string> problems)
    {
        long verified = 0;
        foreach (var file in manifest.Files)
        {
            if (!_seen.TryGetValue(file.Path, out var seen))
            {
                problems.Add($"'{file.Path}' is listed in backup_manifest but is not in the tar stream.");
                continue;
            }

            if (seen.Size != file.Size)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"'{file.Path}' has {seen.Size} bytes in the tar stream, but backup_manifest says {file.Size}."));
                continue;
            }

            if (file.HasCrc32C)
            {
                verified++;
                if (!Crc32C.MatchesManifestHex(seen.Crc, file.Checksum))
                {
                    problems.Add($"'{file.Path}' has CRC32C {Crc32C.ToManifestHex(seen.Crc)} in the tar stream, but backup_manifest says {file.Checksum}.");
                }
            }
        }

        foreach (var path in _seen.Keys)
        {
            // -X fetch puts WAL into pg_wal/ without listing it; the manifest never lists itself.
            if (path != ManifestName && !path.StartsWith("pg_wal/", StringComparison.Ordinal) && !manifest.TryGetFile(path, out _))
            {
                problems.Add($"'{path}' is in the tar stream but not listed in backup_manifest.");
            }
        }

        return verified;
    }

    internal static PgBackupException TablespacesNotSupported(string what) => new(
        "TablespacesNotSupported",
        ErrorKind.InvalidOperation,
        $"The cluster uses a user tablespace ({what}). Physical backups support only the default tablespaces (pg_default, pg_global): move the objects into pg_default, or back up this cluster with logical backups.")
    {
        Target = what,
    };

    private static PgBackupException Invalid(string errorId, string message) => new(errorId, ErrorKind.InvalidData, message);

    private readonly record struct SeenFile(long Size, uint Crc);
}
