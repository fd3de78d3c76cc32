using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Jobs;

/// <summary>Sees each block of a tool's output on its way into the repository (a scanner that checks or counts it).</summary>
internal delegate void BlockObserver(ReadOnlySpan<byte> block);

/// <summary>
/// Streams a backup tool's stdout (pg_dump, pg_basebackup) into a stored file, with read-ahead so the tool keeps
/// producing while earlier blocks are compressed and encrypted. Whatever fails (storage, a malformed stream,
/// cancellation), the tool never outlives it.
/// </summary>
internal static class ToolOutputCapture
{
    private const int ReadBufferSize = 1 << 20;
    private const int ReadAheadDepth = 4;

    /// <summary>Copies all output and returns the tool's exit code.</summary>
    /// <param name="pacer">Holds the reading to a rate (a logical backup's -MaxRateKB); null reads as fast as the tool writes.</param>
    public static async Task<int> CaptureAsync(
        ChildProcess child, StoredFileWriter writer, string pendingDirectory, BlockObserver observe, ProgressMeter meter, CancellationToken cancellationToken, RatePacer? pacer = null)
    {
        await using var stream = new ReadAheadStream(child.StandardOutput, ReadBufferSize, ReadAheadDepth, cancellationToken);
        var buffer = new byte[ReadBufferSize];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                observe(buffer.AsSpan(0, read));
                try
                {
                    await writer.Input.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw RepositoryStorageError.From(ex, pendingDirectory);
                }

                meter.Report(writer.PlaintextBytes, writer.StoredBytes);
                if (pacer is not null)
                {
                    await pacer.PaceAsync(read, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            // The read-ahead task must not wait on the pipe of a tool that would otherwise keep running.
            child.Kill();
            throw;
        }

        return await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the stored file (flush, fsync) and returns its manifest entry.</summary>
    /// <param name="plainBytes">The uncompressed size, for a writer of compressed input (<see cref="StoredFileWriter.ForCompressedInput"/>).</param>
    public static async Task<ManifestFile> CompleteAsync(
        StoredFileWriter writer, string pendingDirectory, ProgressMeter meter, CancellationToken cancellationToken, long? plainBytes = null)
    {
        ManifestFile file;
        try
        {
            file = await writer.CompleteAsync(cancellationToken, plainBytes).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw RepositoryStorageError.From(ex, pendingDirectory);
        }

        meter.Report(file.PlainBytes, file.SizeBytes, force: true);
        meter.Complete();
        return file;
    }
}
