using System.Text;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Tests.Repository;

/// <summary>A temporary encrypted (or plain) repository with helpers to write committed test backups.</summary>
internal sealed class TestRepository : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pgbt-repo-" + Guid.NewGuid().ToString("N"));

    public TestRepository(bool encrypted = true, int chunkSize = 4096)
    {
        Directory.CreateDirectory(_root);
        KeyFilePath = Path.Combine(_root, "repo.key");
        Path_ = Path.Combine(_root, "repo");
        if (encrypted)
        {
            KeyFile.Create(KeyFilePath);
        }

        Info = BackupRepository.Initialize(Path_, encrypted ? Key : null, TimeProvider.System, chunkSize);
    }

    public string Path_ { get; }
    public string KeyFilePath { get; }
    public RepositoryInfo Info { get; }
    public KeySource? Key => File.Exists(KeyFilePath) ? KeySource.FromKeyFile(KeyFilePath) : null;

    public RepositorySession OpenUnlocked()
    {
        var session = BackupRepository.Open(Path_);
        session.Unlock(Key);
        return session;
    }

    /// <summary>Writes and commits a backup holding one "dump" file with the given content.</summary>
    public async Task<string> WriteBackupAsync(byte[] dump, string database = "db", DateTimeOffset? start = null)
    {
        using var session = OpenUnlocked();
        var started = start ?? DateTimeOffset.UtcNow;
        var id = BackupId.New(started);
        var marker = new IncompleteMarker(id, "logical", database, "h:5432", "lock", started, Environment.ProcessId, Environment.MachineName);
        await using var pending = PendingBackup.Begin(session, id, marker.Serialize());
        var writer = pending.CreateFile("database.pgdump.zst", "dump", CompressionSettings.Default);
        await using (writer)
        {
            await writer.Input.WriteAsync(dump);
            pending.Add(await writer.CompleteAsync(CancellationToken.None));
        }

        await pending.WriteSmallFileAsync("catalog.json", "catalog", new BackupCatalog { Tables = [new TableRowCount("public", "t", 3)] }.Serialize(), new CompressionSettings(CompressionAlgorithm.None, 0), CancellationToken.None);
        var manifest = new BackupManifest
        {
            Id = id,
            RepositoryId = session.Config.Id,
            Type = "logical",
            Database = database,
            Server = new ServerFacts { Host = "h", Port = 5432, Version = "15.1" },
            StartTime = started,
            EndTime = started.AddSeconds(1),
            Compression = "zstd",
            Encryption = pending.Encryption,
            Files = pending.Files,
            RawBytes = dump.Length,
            StoredBytes = pending.Files.Sum(f => f.SizeBytes),
            Tool = new ToolFacts { Name = "test", Version = "0", MachineName = "m" },
        };
        await pending.CommitAsync(manifest, CancellationToken.None);
        return id;
    }

    /// <summary>Writes and commits a physical backup manifest (Type "physical", Database "(cluster)") with the given WAL facts and a small "base" file.</summary>
    public async Task<string> WritePhysicalBackupAsync(
        DateTimeOffset consistentAt, string stopLsn, string systemIdentifier = "7301234567890123456", string startLsn = "0/2000028", DateTimeOffset? start = null)
    {
        using var session = OpenUnlocked();
        var started = start ?? consistentAt.AddMinutes(-1);
        var id = BackupId.New(started);
        var marker = new IncompleteMarker(id, "physical", "(cluster)", "h:5432", "lock", started, Environment.ProcessId, Environment.MachineName);
        await using var pending = PendingBackup.Begin(session, id, marker.Serialize());
        var tar = Encoding.ASCII.GetBytes("not really a tar");
        var writer = pending.CreateFile("base.tar.zst", "base", CompressionSettings.Default);
        await using (writer)
        {
            await writer.Input.WriteAsync(tar);
            pending.Add(await writer.CompleteAsync(CancellationToken.None));
        }

        var manifest = new BackupManifest
        {
            Id = id,
            RepositoryId = session.Config.Id,
            Type = "physical",
            Database = "(cluster)",
            Server = new ServerFacts { Host = "h", Port = 5432, Version = "16.2", SystemIdentifier = systemIdentifier },
            StartTime = started,
            EndTime = consistentAt,
            Compression = "zstd",
            Encryption = pending.Encryption,
            Files = pending.Files,
            RawBytes = tar.Length,
            StoredBytes = pending.Files.Sum(f => f.SizeBytes),
            Tool = new ToolFacts { Name = "test", Version = "0", MachineName = "m" },
            Physical = new PhysicalFacts
            {
                SystemIdentifier = systemIdentifier,
                Timeline = 1,
                StartLsn = startLsn,
                StopLsn = stopLsn,
                WalSegmentSize = 16 * 1024 * 1024,
                ConsistentAt = consistentAt,
                BackupLabel = "START WAL LOCATION: " + startLsn + "\n",
                BootstrapSuperuser = "postgres",
                ServerMajorVersion = 16,
            },
        };
        await pending.CommitAsync(manifest, CancellationToken.None);
        return id;
    }

    public async Task<byte[]> ReadDumpAsync(string id)
    {
        using var session = OpenUnlocked();
        var stored = ManifestStore.Load(session, id);
        using var dataKey = stored.Manifest.Encryption is { } e ? session.Master!.UnwrapDataKey(e.WrappedDataKey, id) : null;
        return await StoredFileReader.ReadAllAsync(stored.Directory, stored.Manifest.FindFile("dump")!, dataKey, id, CancellationToken.None);
    }

    public string BackupFile(string id, string name) => Path.Combine(Path_, "backups", id, name);

    public static byte[] SampleDump(int size, int seed = 1)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        while (builder.Length < size)
        {
            builder.Append("row ").Append(random.Next(1000)).Append('\t').Append(Guid.NewGuid()).Append('\n');
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, size));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
