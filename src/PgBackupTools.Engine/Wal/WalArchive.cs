using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// The WAL archive of one database cluster inside a repository: wal/&lt;system id&gt;/. Files are compressed,
/// encrypted under a key derived from the master key, and bound to their WAL file name (see
/// docs/repository-format.md). Pushing and fetching live in <see cref="WalPush"/> and <see cref="WalFetch"/>.
/// </summary>
public sealed class WalArchive : IDisposable
{
    public const string DirectoryName = "wal";
    public const string InfoFileName = "archive.json";
    public const string InfoMacFileName = "archive.mac";
    internal const string InfoMacPurpose = "wal archive mac";
    internal const string DataKeyPurpose = "wal data";
    internal const string TagKeyPurpose = "wal content";
    internal const string TemporaryPrefix = ".tmp-";

    private readonly byte[]? _tagKey;

    private WalArchive(RepositorySession session, ulong systemIdentifier)
    {
        Session = session;
        SystemIdentifier = systemIdentifier;
        Directory = Path.Combine(RootOf(session.Layout), systemIdentifier.ToString(CultureInfo.InvariantCulture));
        if (session.Master is { } master)
        {
            DataKey = new DataKey(master.DeriveSubkey(DataKeyPurpose));
            _tagKey = master.DeriveSubkey(TagKeyPurpose);
        }
    }

    public RepositorySession Session { get; }
    public ulong SystemIdentifier { get; }
    public string Directory { get; }

    /// <summary>Null until the first file is pushed.</summary>
    public WalArchiveInfo? Info { get; private set; }

    public int SegmentSize => Info?.WalSegmentSize ?? WalFileName.DefaultSegmentSize;
    internal DataKey? DataKey { get; }
    internal int ChunkSize => Session.Config.Encryption?.ChunkSize ?? BackupRepository.DefaultChunkSize;

    public static string RootOf(RepositoryLayout layout) => Path.Combine(layout.Root, DirectoryName);

    /// <summary>Opens (without creating) the archive of a cluster; the repository must be unlocked.</summary>
    public static WalArchive Open(RepositorySession session, ulong systemIdentifier)
    {
        session.RequireUnlocked();
        var archive = new WalArchive(session, systemIdentifier);
        archive.Info = archive.LoadInfo();
        return archive;
    }

    /// <summary>The clusters that have a WAL archive in this repository.</summary>
    public static IReadOnlyList<ulong> ListSystems(RepositoryLayout layout)
    {
        var root = RootOf(layout);
        if (!System.IO.Directory.Exists(root))
        {
            return [];
        }

        return System.IO.Directory.EnumerateDirectories(root)
            .Select(d => ulong.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : (ulong?)null)
            .OfType<ulong>()
            .Order()
            .ToList();
    }

    public string RelativePath(WalStoredFile file) =>
        $"{DirectoryName}/{SystemIdentifier}/{Path.GetFileName(Path.GetDirectoryName(file.Path))}/{Path.GetFileName(file.Path)}";

    /// <summary>The name each file's encryption is bound to, so a file renamed to another segment never decrypts.</summary>
    internal string BoundName(WalFileName name) => $"{DirectoryName}/{SystemIdentifier}/{name.Name}";

    internal IncrementalHash NewTagHash() => _tagKey is null
        ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256)
        : IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _tagKey);

    internal static string TagOf(IncrementalHash hash) =>
        Convert.ToHexString(hash.GetHashAndReset().AsSpan(0, WalStoredFile.TagLength / 2)).ToLowerInvariant();

    /// <summary>Every stored file, in no particular order.</summary>
    public IReadOnlyList<WalStoredFile> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var files = new List<WalStoredFile>();
        foreach (var folder in new DirectoryInfo(Directory).EnumerateDirectories())
        {
            foreach (var file in folder.EnumerateFiles())
            {
                if (WalStoredFile.TryParse(file, SegmentSize) is { } stored)
                {
                    files.Add(stored);
                }
            }
        }

        return files;
    }

    /// <summary>The stored copies of one WAL file (normally zero or one).</summary>
    public IReadOnlyList<WalStoredFile> FindAll(WalFileName name)
    {
        var folder = new DirectoryInfo(Path.Combine(Directory, name.DirectoryKey));
        if (!folder.Exists)
        {
            return [];
        }

        return folder.EnumerateFiles(name.Name + ".*")
            .Select(f => WalStoredFile.TryParse(f, SegmentSize))
            .Where(f => f is not null && f.Name.Name == name.Name)
            .Select(f => f!)
            .ToList();
    }

    /// <summary>True when a later segment of the same timeline is archived, so <paramref name="name"/> missing is a hole.</summary>
    public bool HasLaterSegment(WalFileName name)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return false;
        }

        var timelinePrefix = name.Name[..8];
        var ownFolder = name.DirectoryKey;
        foreach (var folder in new DirectoryInfo(Directory).EnumerateDirectories(timelinePrefix + "*"))
        {
            var comparison = string.CompareOrdinal(folder.Name, ownFolder);
            if (comparison < 0 || folder.Name.Length != 16)
            {
                continue;
            }

            foreach (var file in folder.EnumerateFiles())
            {
                if (WalStoredFile.TryParse(file, SegmentSize) is { Name.Kind: WalFileKind.Segment } stored
                    && stored.Name.SegmentNumber > name.SegmentNumber)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Creates archive.json on the first push; afterwards checks the segment size still matches.</summary>
    internal void EnsureInfo(int segmentSize, int? majorVersion, TimeProvider time)
    {
        if (Info is null)
        {
            var root = RootOf(Session.Layout);
            SecureFileSystem.CreatePrivateDirectory(root);
            var staging = Path.Combine(root, TemporaryPrefix + Guid.NewGuid().ToString("N"));
            SecureFileSystem.CreatePrivateDirectory(staging);
            var info = new WalArchiveInfo
            {
                SystemIdentifier = SystemIdentifier.ToString(CultureInfo.InvariantCulture),
                WalSegmentSize = segmentSize,
                PgMajorVersion = majorVersion,
                Created = time.GetUtcNow(),
            };
            ManifestMac.WriteAuthenticated(
                Path.Combine(staging, InfoFileName), Path.Combine(staging, InfoMacFileName), info.Serialize(), Session.Master, InfoMacPurpose);
            try
            {
                // One rename publishes the archive with its authenticated description; a concurrent first push loses the race harmlessly.
                System.IO.Directory.Move(staging, Directory);
                SecureFileSystem.SyncDirectory(root);
            }
            catch (IOException) when (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }

            Info = LoadInfo() ?? throw new IOException($"'{Directory}' has no {InfoFileName} after it was created.");
        }

        if (Info.WalSegmentSize != segmentSize)
        {
            throw new PgBackupException(
                "WalSegmentSizeMismatch",
                ErrorKind.InvalidData,
                $"The WAL archive of system {SystemIdentifier} holds {Info.WalSegmentSize}-byte segments, but this file is from {segmentSize}-byte segments. The cluster was re-created with another --wal-segsize; archive it into another repository.")
            { Target = Directory };
        }
    }

    public void Dispose() => DataKey?.Dispose();

    private WalArchiveInfo? LoadInfo()
    {
        var path = Path.Combine(Directory, InfoFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        if (!ManifestMac.VerifyFile(bytes, Path.Combine(Directory, InfoMacFileName), Session.Master, InfoMacPurpose))
        {
            throw new IntegrityException(
                IntegrityFailure.ManifestAuthenticationFailed,
                $"{DirectoryName}/{SystemIdentifier}/{InfoFileName}",
                $"The WAL archive description '{path}' does not authenticate: it was altered, or belongs to another repository.");
        }

        var info = WalArchiveInfo.Deserialize(bytes);
        if (info.Format != WalArchiveInfo.FormatName || info.Version > WalArchiveInfo.CurrentVersion
            || info.SystemIdentifier != SystemIdentifier.ToString(CultureInfo.InvariantCulture))
        {
            throw new PgBackupException(
                "WalArchiveFormatUnsupported",
                ErrorKind.InvalidData,
                $"'{path}' describes format '{info.Format}' version {info.Version} of system {info.SystemIdentifier}; this PgBackupTools reads version {WalArchiveInfo.CurrentVersion}. Update the module.")
            { Target = path };
        }

        return info;
    }

    internal static string Describe(WalFileName name) => name.Kind switch
    {
        WalFileKind.History => $"timeline history file {name.Name}",
        WalFileKind.BackupHistory => $"backup history file {name.Name}",
        WalFileKind.Partial => $"partial WAL segment {name.Name}",
        _ => $"WAL segment {name.Name}",
    };

}
