using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Pipeline;

namespace PgBackupTools.Engine.Repository;

/// <summary>
/// A backup being written. Everything goes into backups/.incomplete-&lt;id&gt;/; <see cref="CommitAsync"/>
/// writes the manifest, fsyncs, and renames the folder to backups/&lt;id&gt; in one step. Disposing an
/// uncommitted backup deletes its folder, so a failed or cancelled run is never listed.
/// </summary>
public sealed class PendingBackup : IAsyncDisposable
{
    private readonly RepositorySession _repository;
    private readonly List<ManifestFile> _files = [];
    private bool _committed;

    private PendingBackup(RepositorySession repository, string id, DataKey? dataKey)
    {
        _repository = repository;
        Id = id;
        DataKey = dataKey;
        Directory = repository.Layout.IncompleteDirectory(id);
        WrappedDataKey = dataKey is null ? null : repository.Master!.WrapDataKey(dataKey, id);
    }

    public string Id { get; }
    public string Directory { get; }
    public DataKey? DataKey { get; }
    public string? WrappedDataKey { get; }
    public IReadOnlyList<ManifestFile> Files => _files;
    public int ChunkSize => _repository.Config.Encryption?.ChunkSize ?? BackupRepository.DefaultChunkSize;

    public ManifestEncryption? Encryption => _repository.Config.Encryption is { } e
        ? new ManifestEncryption { Algorithm = e.Algorithm, KeyId = e.KeyId, ChunkSize = e.ChunkSize, WrappedDataKey = WrappedDataKey! }
        : null;

    public static PendingBackup Begin(RepositorySession repository, string id, byte[] runMarkerJson)
    {
        repository.RequireUnlocked();
        var dataKey = repository.IsEncrypted ? DataKey.Generate() : null;
        var pending = new PendingBackup(repository, id, dataKey);
        SecureFileSystem.CreatePrivateDirectory(pending.Directory);
        using (var marker = SecureFileSystem.CreateNewPrivateFile(Path.Combine(pending.Directory, IncompleteMarker.FileName)))
        {
            marker.Write(runMarkerJson);
        }
        return pending;
    }

    public StoredFileWriter CreateFile(string name, string role, CompressionSettings compression) =>
        new(Directory, name, role, compression, DataKey, ChunkSize);

    /// <summary>A stored file whose input arrives already compressed (see <see cref="StoredFileWriter.ForCompressedInput"/>).</summary>
    public StoredFileWriter CreateFileForCompressedInput(string name, string role, CompressionSettings compression) =>
        StoredFileWriter.ForCompressedInput(Directory, name, role, compression, DataKey, ChunkSize);

    public void Add(ManifestFile file) => _files.Add(file);

    public async Task<ManifestFile> WriteSmallFileAsync(string name, string role, byte[] content, CompressionSettings compression, CancellationToken cancellationToken)
    {
        var entry = await StoredFileWriter.WriteAllAsync(Directory, name, role, content, compression, DataKey, ChunkSize, cancellationToken).ConfigureAwait(false);
        _files.Add(entry);
        return entry;
    }

    public Task<string> CommitAsync(BackupManifest manifest, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var bytes = manifest.Serialize();
        WriteDurably(Path.Combine(Directory, ManifestStore.ManifestFileName), bytes);
        WriteDurably(Path.Combine(Directory, ManifestStore.MacFileName), ManifestMac.Compute(bytes, _repository.Master, ManifestMac.ManifestPurpose));
        File.Delete(Path.Combine(Directory, IncompleteMarker.FileName));
        SecureFileSystem.SyncDirectory(Directory);
        var final = _repository.Layout.BackupDirectory(Id);
        System.IO.Directory.Move(Directory, final);
        SecureFileSystem.SyncDirectory(_repository.Layout.BackupsDirectory);
        _committed = true;
        return Task.FromResult(final);
    }

    public ValueTask DisposeAsync()
    {
        DataKey?.Dispose();
        if (!_committed && System.IO.Directory.Exists(Directory))
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for retention: an .incomplete- folder is never listed as a backup.
            }
        }

        return ValueTask.CompletedTask;
    }

    private static void WriteDurably(string path, byte[] bytes)
    {
        using var stream = SecureFileSystem.CreateNewPrivateFile(path);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
