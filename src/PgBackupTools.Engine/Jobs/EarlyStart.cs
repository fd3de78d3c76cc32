namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Work started ahead of the step that needs it, such as the first server connection while the repository is read.
/// If the job fails before it gets there, disposing cancels the work and waits for it quietly, so it neither runs on
/// unobserved nor delays the error that counts (an unreachable host could otherwise hold it for the connect timeout).
/// </summary>
internal sealed class EarlyStart<T> : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;

    public EarlyStart(Func<CancellationToken, Task<T>> start, CancellationToken cancellationToken)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task = start(_cancel.Token);
    }

    public Task<T> Task { get; }

    public async ValueTask DisposeAsync()
    {
        if (!Task.IsCompleted)
        {
            await _cancel.CancelAsync().ConfigureAwait(false);
        }

        await SideTask.ObserveQuietlyAsync(Task).ConfigureAwait(false);
        _cancel.Dispose();
    }
}
