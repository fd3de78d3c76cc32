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
