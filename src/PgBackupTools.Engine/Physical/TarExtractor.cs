using System.Globalization;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Physical;

/// <summary>
/// Writes a tar stream (fed by <see cref="TarStreamParser"/>) into an empty folder: only plain files and folders,
/// only inside the folder, each at most once; 0700 folders and 0600 files, each file fsynced, folders at the end.
/// </summary>
public sealed class TarExtractor : ITarEntrySink, IDisposable
{
    private readonly string _root;
    private readonly TarExtractorOptions _options;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<string> _createdDirectories = [];
    private readonly Crc32C _crc = new();
    private FileStream? _file;
    private string? _relative;
    private TarEntry? _entry;

    public TarExtractor(string targetDirectory, TarExtractorOptions? options = null)
    {
        _options = options ?? new TarExtractorOptions();
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetDirectory));
        if (Directory.Exists(_root))
        {
            if (Directory.EnumerateFileSystemEntries(_root).Any())
            {
                throw new PgBackupException(
                    "RestoreTargetNotEmpty",
                    ErrorKind.ResourceExists,
                    $"The folder '{_root}' is not empty. Extract a base backup only into an empty or new folder.")
                {
                    Target = _root,
                };
            }
        }
        else
        {
            SecureFileSystem.CreatePrivateDirectory(_root);
            _createdDirectories.Add(_root);
            _options.PathCreated?.Invoke(_root);
        }
    }

    public long FileCount { get; private set; }

    public long TotalBytes { get; private set; }

    public bool IsComplete { get; private set; }

    public void OnEntryStart(TarEntry entry)
    {
        var relative = SafeRelativePath(entry.Name);
        if (relative.Length == 0 && entry.Type == TarEntryType.Directory)
        {
            return;
        }

        if (!_names.Add(relative))
        {
            throw Refused("TarEntryDuplicate", entry.Name, "appears more than once in the archive");
        }

        var full = Path.GetFullPath(Path.Combine(_root, relative));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw Refused("TarEntryPathUnsafe", entry.Name, "would be written outside the target folder");
        }

        switch (entry.Type)
        {
            case TarEntryType.Directory:
                Guard(relative, () => EnsureDirectory(relative));
                return;
            case TarEntryType.Regular:
                var parent = Path.GetDirectoryName(relative.Replace('/', Path.DirectorySeparatorChar));
                Guard(relative, () =>
                {
                    if (!string.IsNullOrEmpty(parent))
                    {
                        EnsureDirectory(parent.Replace(Path.DirectorySeparatorChar, '/'));
                    }

                    _file = SecureFileSystem.CreateNewPrivateFile(full);
                });
                _options.PathCreated?.Invoke(full);
                _relative = relative;
                _entry = entry;
                _crc.Reset();
                return;
            default:
                throw Refused(
                    "TarEntryTypeNotSupported",
                    entry.Name,
                    entry.Type == TarEntryType.SymbolicLink
                        ? $"is a symbolic link to '{entry.LinkTarget}'; base backups with links (user tablespaces) cannot be extracted"
                        : $"has tar type '{entry.TypeFlag}'; only files and folders can be extracted");
        }
    }

    public void OnEntryData(ReadOnlySpan<byte> data)
    {
        if (_file is null)
        {
            return;
        }

        _crc.Append(data);
        TotalBytes += data.Length;
        try
        {
            _file.Write(data);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(_relative!, ex);
        }
    }

    public void OnEntryEnd()
    {
        if (_file is null)
        {
            return;
        }

        var file = _file;
        var relative = _relative!;
        Guard(relative, () =>
        {
            file.Flush(flushToDisk: true);
            file.Dispose();
            File.SetLastWriteTimeUtc(file.Name, _entry!.ModificationTime.UtcDateTime);
        });
        _file = null;
        FileCount++;
        CheckCrc(relative, _crc.Value);
    }

    public void OnArchiveEnd()
    {
        foreach (var directory in _createdDirectories.OrderByDescending(d => d.Length))
        {
            SecureFileSystem.SyncDirectory(directory);
        }

        SecureFileSystem.SyncDirectory(_root);
        var parent = Path.GetDirectoryName(_root);
        if (parent is not null)
        {
            SecureFileSystem.SyncDirectory(parent);
        }

        IsComplete = true;
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    private void CheckCrc(string relative, uint actual)
    {
        if (_options.ExpectedCrc32C?.Invoke(relative) is { } expected && expected != actual)
        {
            throw CrcMismatch(relative, Crc32C.ToHex(actual), Crc32C.ToHex(expected));
        }

        if (_options.Manifest is { } manifest && manifest.TryGetFile(relative, out var listed)
            && listed.HasCrc32C && !Crc32C.MatchesManifestHex(actual, listed.Checksum))
        {
            throw CrcMismatch(relative, Crc32C.ToManifestHex(actual), listed.Checksum!);
        }
    }

    /// <summary>Creates each missing folder of a relative path, so every one of them gets 0700 and is reported.</summary>
    private void EnsureDirectory(string relative)
    {
        var current = _root;
        foreach (var segment in relative.Split('/'))
        {
            current = Path.Combine(current, segment);
            if (Directory.Exists(current))
            {
                continue;
            }

            SecureFileSystem.CreatePrivateDirectory(current);
            _createdDirectories.Add(current);
            _options.PathCreated?.Invoke(current);
        }
    }

    private static string SafeRelativePath(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name.Contains('\\', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal)
            || (name.Length >= 2 && name[1] == ':'))
        {
            throw Refused("TarEntryPathUnsafe", name, "is an absolute path or contains a backslash");
        }

        if (name.Split('/').Contains(".."))
        {
            throw Refused("TarEntryPathUnsafe", name, "contains '..'");
        }

        return TarPaths.Normalize(name);
    }

    private static void Guard(string relative, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(relative, ex);
        }
    }

    private static PgBackupException WriteFailed(string relative, Exception ex) => new(
        "ExtractWriteFailed",
        ErrorKind.WriteError,
        $"Cannot write '{relative}' while extracting the base backup: {ex.Message} Check free space and permissions of the target folder.",
        ex)
    {
        Target = relative,
    };

    private static IntegrityException CrcMismatch(string relative, string actual, string expected) => new(
        IntegrityFailure.ChecksumMismatch,
        relative,
        string.Create(CultureInfo.InvariantCulture, $"'{relative}' in the base backup has CRC32C {actual}, but {expected} was expected. The backup is damaged; do not start PostgreSQL on this folder."));

    private static PgBackupException Refused(string errorId, string name, string why) => new(
        errorId,
        ErrorKind.InvalidData,
        $"The archive entry '{name}' {why}. Refusing to extract it.")
    {
        Target = name,
    };
}
