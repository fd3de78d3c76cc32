using System.Collections.Concurrent;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Physical;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres.Libpq;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// What a server-compressed base backup left: its positions, the checked scan, the stored archive, and the size the
/// server expected to send (0 when it sent no estimate).
/// </summary>
internal sealed record ServerBaseBackupOutcome(BaseBackupPositions Positions, BaseBackupScanResult Scan, ManifestFile File, long EstimatedBytes);

/// <summary>
/// BASE_BACKUP with compression on the server, received in this process through libpq. Three threads: the
/// receiver takes the server's compressed archive; one worker encrypts and hashes it into the repository as it is;
/// another decompresses a copy and checks every file's CRC32C against backup_manifest. So only the compressed
/// bytes cross the network, nothing is compressed twice, and still no unchecked byte is kept.
/// </summary>
internal sealed class ServerCompressedBaseBackup(LibpqLibrary libpq, ProgressMeter meter)
{
    private const int QueueDepth = 64;
    private const int ScanBufferSize = 1 << 20;
    private static readonly TimeSpan ReceiverGrace = TimeSpan.FromSeconds(30);

    public async Task<ServerBaseBackupOutcome> RunAsync(
        string connectionInfo, BaseBackupCommandOptions options, StoredFileWriter writer, string pendingDirectory, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toStore = new BlockingCollection<byte[]>(QueueDepth);
        var toScan = new BlockingCollection<byte[]>(QueueDepth);
        var sink = new QueueSink(toStore, toScan, stop.Token);
        var failures = new FailureLatch(stop);
        var command = BaseBackupCommand.Text(options);

        var receive = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    using var connection = LibpqConnection.Open(libpq, connectionInfo);
                    return BaseBackupReceiver.Run(connection, command, sink, stop.Token);
                }
                catch (Exception ex)
                {
                    // Before the queues end: the workers must not report a cut-off stream as the cause.
                    failures.Record(ex);
                    throw;
                }
                finally
                {
                    toStore.CompleteAdding();
                    toScan.CompleteAdding();
                }
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var store = Task.Run(() => failures.GuardAsync(() => StoreAsync(toStore, writer, pendingDirectory, stop.Token)), CancellationToken.None);
        var scanner = new BaseBackupScanner();
        var scan = Task.Run(() => failures.Guard(() => Scan(toScan, options.Compression.Algorithm, scanner, writer, () => sink.EstimatedBytes, stop.Token)), CancellationToken.None);

        try
        {
            await Task.WhenAll(store, scan).ConfigureAwait(false);
            var positions = await receive.ConfigureAwait(false);
            var result = scanner.Complete(sink.Manifest());
            var file = await ToolOutputCapture.CompleteAsync(writer, pendingDirectory, meter, cancellationToken, await scan.ConfigureAwait(false)).ConfigureAwait(false);
            return new ServerBaseBackupOutcome(positions, result, file, sink.EstimatedBytes);
        }
        catch (Exception) when (failures.First is { } first)
        {
            // The receiver may sit in libpq until the server answers the cancel; it owns the connection, so wait for it.
            await Task.WhenAny(receive, Task.Delay(ReceiverGrace, CancellationToken.None)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw first;
        }
        finally
        {
            toStore.Dispose();
            toScan.Dispose();
        }
    }

    private static async Task StoreAsync(BlockingCollection<byte[]> chunks, StoredFileWriter writer, string pendingDirectory, CancellationToken cancellationToken)
    {
        foreach (var chunk in chunks.GetConsumingEnumerable(cancellationToken))
        {
            try
            {
                await writer.Input.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw RepositoryStorageError.From(ex, pendingDirectory);
            }
        }
    }

    private long Scan(
        BlockingCollection<byte[]> chunks, CompressionAlgorithm algorithm, BaseBackupScanner scanner, StoredFileWriter writer, Func<long> estimated, CancellationToken cancellationToken)
    {
        var parser = new TarStreamParser(scanner);
        using var compressed = new ChunkQueueReadStream(chunks, cancellationToken);
        using var plain = Compressors.Decompress(compressed, algorithm);
        var buffer = new byte[ScanBufferSize];
        long total = 0;
        int read;
        try
        {
            while ((read = plain.Read(buffer, 0, buffer.Length)) > 0)
            {
                parser.Feed(buffer.AsSpan(0, read));
                total += read;
                meter.ReportTowards(total, writer.StoredBytes, estimated());
            }
        }
        catch (Exception ex) when (ex is not PgBackupException and not OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new PgBackupException(
                "BaseBackupStreamDamaged",
                ErrorKind.InvalidData,
                $"The server's compressed base backup could not be decompressed ({ex.Message}). Nothing was kept; the connection or the server may be damaging data.");
        }

        parser.Complete();
        return total;
    }

    /// <summary>Keeps the first failure of the three workers and stops the others, whose later failures are its echoes.</summary>
    private sealed class FailureLatch(CancellationTokenSource stop)
    {
        private Exception? _first;

        public Exception? First => Volatile.Read(ref _first);

        public T Guard<T>(Func<T> work)
        {
            try
            {
                return work();
            }
            catch (Exception ex)
            {
                Record(ex);
                throw;
            }
        }

        public async Task GuardAsync(Func<Task> work)
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Record(ex);
                throw;
            }
        }

        public void Record(Exception ex)
        {
            Interlocked.CompareExchange(ref _first, ex, null);
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Hands each archive chunk to both workers and keeps backup_manifest.</summary>
    private sealed class QueueSink(BlockingCollection<byte[]> toStore, BlockingCollection<byte[]> toScan, CancellationToken cancellationToken) : IBaseBackupStreamSink
    {
        private readonly MemoryStream _manifest = new();
        private long _estimatedBytes;

        /// <summary>The server's estimate of the archive's size; 0 until it arrives, or when it sent none.</summary>
        public long EstimatedBytes => Interlocked.Read(ref _estimatedBytes);

        public void OnEstimatedSize(long bytes) => Interlocked.Exchange(ref _estimatedBytes, bytes);

        public void OnArchiveData(ReadOnlySpan<byte> data)
        {
            var chunk = data.ToArray();
            toStore.Add(chunk, cancellationToken);
            toScan.Add(chunk, cancellationToken);
        }

        public void OnManifestData(ReadOnlySpan<byte> data)
        {
            if (_manifest.Length + data.Length > BaseBackupScanner.DefaultMaxManifestBytes)
            {
                throw new PgBackupException(
                    "BaseBackupFileTooLarge",
                    ErrorKind.LimitsExceeded,
                    $"The server's backup_manifest is larger than {BaseBackupScanner.DefaultMaxManifestBytes} bytes, more than a real one can be. The stream is damaged.");
            }

            _manifest.Write(data);
        }

        public byte[] Manifest() => _manifest.ToArray();
    }
}
