using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>What <see cref="WalStreamer"/> runs: pgbt-wal stream's options, resolved.</summary>
public sealed record WalStreamSettings
{
    public required string Spool { get; init; }
    public string Slot { get; init; } = WalToolOptions.DefaultSlot;

    /// <summary>Full path of pg_receivewal.</summary>
    public required string PgReceiveWal { get; init; }

    public ulong? SystemIdentifier { get; init; }
    public CompressionSettings Compression { get; init; } = CompressionSettings.Default;
    public bool Synchronous { get; init; }

    /// <summary>How often the segment being filled is copied into the archive (<see cref="WalSpool.PartialInterval"/>).</summary>
    public TimeSpan PartialInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long to wait before starting pg_receivewal again after it ended, or retrying a failed push.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Environment changes for pg_receivewal (the libpq connection normally comes from our own environment).</summary>
    public IReadOnlyDictionary<string, string?> ReceiverEnvironment { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// pgbt-wal stream: runs pg_receivewal against a physical replication slot into a spool folder and moves every
/// completed segment into the repository within a poll interval, until cancelled. pg_receivewal is restarted
/// whenever it ends (server down, connection lost, server not up yet at boot); on stop it gets SIGINT and closes its
/// .partial file (on Windows it is ended at once), and the next start resumes from the start of that segment, the slot
/// keeping the server's WAL meanwhile.
/// </summary>
public sealed class WalStreamer
{
    public const string LockFileName = "stream.lock";

    /// <summary>Creating this file in the spool asks the streamer to stop (where no signals exist, e.g. Windows).</summary>
    public const string StopFileName = "stop";

    private static readonly TimeSpan ReceiverStopLimit = TimeSpan.FromSeconds(15);

    private readonly WalStreamSettings _settings;
    private readonly RepositorySession _session;
    private readonly TextWriter _log;
    private readonly TimeProvider _time;
    private WalStreamStatus _status;

    public WalStreamer(WalStreamSettings settings, RepositorySession session, TextWriter log, TimeProvider time)
    {
        _settings = settings;
        _session = session;
        _log = log;
        _time = time;
        var now = time.GetUtcNow();
        _status = new WalStreamStatus
        {
            State = WalStreamStatus.Starting,
            ProcessId = Environment.ProcessId,
            ProcessStarted = ProcessSignals.StartTime(Environment.ProcessId),
            Slot = settings.Slot,
            SystemIdentifier = settings.SystemIdentifier?.ToString(CultureInfo.InvariantCulture),
            Started = now,
            Updated = now,
        };
    }

    /// <summary>Streams until <paramref name="cancellationToken"/> is cancelled or a stop file appears; returns normally then.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _session.RequireUnlocked();
        SecureFileSystem.CreatePrivateDirectory(_settings.Spool);
        using var streamLock = AcquireLock();
        File.Delete(Path.Combine(_settings.Spool, StopFileName));
        StopLeftoverReceiver(WalStreamStatus.TryRead(_settings.Spool));
        Update(_status);

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var spool = new WalSpool(_settings.Spool, _session, _settings.SystemIdentifier, _settings.Compression, _time) { PartialInterval = _settings.PartialInterval };
        var pushRetryAt = DateTimeOffset.MinValue;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                pushRetryAt = await DrainAsync(spool, pushRetryAt, CancellationToken.None).ConfigureAwait(false);
                if (!await CreateSlotAsync(stopping.Token).ConfigureAwait(false))
                {
                    await IdleAsync(spool, _settings.RetryDelay, stopping).ConfigureAwait(false);
                    continue;
                }

                using var receiver = StartReceiver();
                Log($"pg_receivewal started (pid {receiver.Id}) on slot {_settings.Slot} into '{_settings.Spool}'");
                Update(_status with { State = WalStreamStatus.Running, ReceiverProcessId = receiver.Id, ReceiverStarted = ProcessSignals.StartTime(receiver.Id), LastError = null });
                while (!stopping.IsCancellationRequested && !receiver.HasExited)
                {
                    pushRetryAt = await DrainAsync(spool, pushRetryAt, CancellationToken.None).ConfigureAwait(false);
                    await WaitAsync(receiver, _settings.PollInterval, stopping).ConfigureAwait(false);
                }

                if (!receiver.HasExited)
                {
                    StopReceiver(receiver);
                    break;
                }

                var message = $"pg_receivewal exited with code {receiver.ExitCode}; starting it again in {_settings.RetryDelay.TotalSeconds:0} s";
                Log(message);
                Update(_status with { State = WalStreamStatus.Retrying, ReceiverProcessId = null, ReceiverStarted = null, LastError = message });
                await IdleAsync(spool, _settings.RetryDelay, stopping).ConfigureAwait(false);
            }

            // What pg_receivewal completed before it stopped; the .partial stays for the next start.
            await DrainAsync(spool, DateTimeOffset.MinValue, CancellationToken.None).ConfigureAwait(false);
            Log("stopped");
            Update(_status with { State = WalStreamStatus.Stopped, ReceiverProcessId = null, ReceiverStarted = null, Updated = _time.GetUtcNow() });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Update(_status with { State = WalStreamStatus.Failed, ReceiverProcessId = null, ReceiverStarted = null, LastError = ex.Message });
            throw;
        }
    }

    private FileStream AcquireLock()
    {
        var path = Path.Combine(_settings.Spool, LockFileName);
        try
        {
            // FileShare.None is an exclusive lock (flock on Unix): one streamer per spool.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new PgBackupException(
                "WalStreamRunning",
                ErrorKind.ResourceBusy,
                $"Another pgbt-wal stream is already running on '{_settings.Spool}'. Stop it first (Stop-PgWalStream), or give this one its own -Slot/--spool.",
                ex) { Target = _settings.Spool };
        }
    }

    /// <summary>A pg_receivewal whose pgbt-wal was killed keeps the slot busy; it would make every new start fail.</summary>
    private void StopLeftoverReceiver(WalStreamStatus? previous)
    {
        if (previous?.ReceiverProcessId is not { } pid || !IsLeftoverReceiver(pid, previous.ReceiverStarted))
        {
            return;
        }

        Log($"stopping pg_receivewal (pid {pid}) left behind by an earlier run");

        // SIGINT lets it close its .partial file; where there are no signals it is ended at once, which loses nothing:
        // the next pg_receivewal starts again from the beginning of that segment, and the slot kept it on the server.
        if (ProcessSignals.Send(pid, ProcessSignals.SigInt))
        {
            var deadline = _time.GetUtcNow() + ReceiverStopLimit;
            while (IsLeftoverReceiver(pid, previous.ReceiverStarted) && _time.GetUtcNow() < deadline)
            {
                Thread.Sleep(100);
            }
        }

        if (IsLeftoverReceiver(pid, previous.ReceiverStarted))
        {
            ProcessSignals.Kill(pid);
        }
    }

    /// <summary>Still that pg_receivewal: same name and start time, and (where the arguments can be read) this spool.</summary>
    private bool IsLeftoverReceiver(int pid, DateTimeOffset? started) => ProcessSignals.IsRunning(pid, PgToolNames.PgReceiveWal, _settings.Spool, started);

    private async Task<bool> CreateSlotAsync(CancellationToken cancellationToken)
    {
        var options = new ChildProcessOptions(_settings.PgReceiveWal, ["--create-slot", "--if-not-exists", "--slot", _settings.Slot, "--no-password"])
        {
            Environment = _settings.ReceiverEnvironment,
        };
        try
        {
            var result = await ChildProcess.RunToCompletionAsync(options, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                return true;
            }

            var message = $"pg_receivewal could not create or check slot {_settings.Slot} (exit {result.ExitCode}): {result.StandardError.Trim()}; trying again in {_settings.RetryDelay.TotalSeconds:0} s";
            Log(message);
            Update(_status with { State = WalStreamStatus.Retrying, LastError = message });
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private Process StartReceiver()
    {
        var startInfo = new ProcessStartInfo(_settings.PgReceiveWal)
        {
            UseShellExecute = false,
            // stdout and stderr are inherited: pg_receivewal's messages land where ours do (the log file, the journal).
        };
        foreach (var argument in new[] { "--directory", _settings.Spool, "--slot", _settings.Slot, "--no-password", "--verbose" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (_settings.Synchronous)
        {
            startInfo.ArgumentList.Add("--synchronous");
        }

        foreach (var (name, value) in _settings.ReceiverEnvironment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        try
        {
            return Process.Start(startInfo) ?? throw new InvalidOperationException("Process.Start returned null.");
        }
        catch (Exception ex) when (ex is Win32Exception or FileNotFoundException)
        {
            throw new PgBackupException(
                "ProcessStartFailed",
                ErrorKind.NotInstalled,
                $"Could not start '{_settings.PgReceiveWal}': {ex.Message}. Check that it is installed and executable.",
                ex) { Target = _settings.PgReceiveWal };
        }
    }

    private void StopReceiver(Process receiver)
    {
        Log($"stopping pg_receivewal (pid {receiver.Id})");
        if (!ProcessSignals.Send(receiver.Id, ProcessSignals.SigInt) || !receiver.WaitForExit(ReceiverStopLimit))
        {
            try
            {
                // It resumes from the start of its .partial segment next time; the slot keeps the WAL.
                receiver.Kill();
                receiver.WaitForExit(ReceiverStopLimit);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
    }

    /// <summary>Pushes what is complete; a failure is logged and retried after the retry delay, never fatal.</summary>
    private async Task<DateTimeOffset> DrainAsync(WalSpool spool, DateTimeOffset retryAt, CancellationToken cancellationToken)
    {
        if (_time.GetUtcNow() < retryAt)
        {
            return retryAt;
        }

        try
        {
            var pushed = await spool.DrainAsync(cancellationToken).ConfigureAwait(false);
            if (pushed.Count > 0)
            {
                foreach (var name in pushed)
                {
                    Log($"stored {name}");
                }

                Update(_status with
                {
                    LastSegment = pushed[^1],
                    LastPushed = _time.GetUtcNow(),
                    PushedCount = _status.PushedCount + pushed.Count,
                    SystemIdentifier = spool.SystemIdentifier?.ToString(CultureInfo.InvariantCulture),
                });
            }

            return DateTimeOffset.MinValue;
        }
        catch (Exception ex) when (ex is PgBackupException or IOException or UnauthorizedAccessException)
        {
            var message = $"storing WAL from the spool failed: {ex.Message}; trying again in {_settings.RetryDelay.TotalSeconds:0} s";
            Log(message);
            Update(_status with { LastError = message });
            return _time.GetUtcNow() + _settings.RetryDelay;
        }
    }

    /// <summary>Keeps draining while waiting (segments completed just before pg_receivewal ended still move).</summary>
    private async Task IdleAsync(WalSpool spool, TimeSpan delay, CancellationTokenSource stopping)
    {
        var until = _time.GetUtcNow() + delay;
        var retryAt = DateTimeOffset.MinValue;
        while (!stopping.IsCancellationRequested && _time.GetUtcNow() < until)
        {
            retryAt = await DrainAsync(spool, retryAt, CancellationToken.None).ConfigureAwait(false);
            await WaitAsync(null, _settings.PollInterval, stopping).ConfigureAwait(false);
        }
    }

    private async Task WaitAsync(Process? receiver, TimeSpan delay, CancellationTokenSource stopping)
    {
        try
        {
            if (receiver is null)
            {
                await Task.Delay(delay, _time, stopping.Token).ConfigureAwait(false);
            }
            else
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                timeout.CancelAfter(delay);
                await receiver.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The poll interval passed, or we are stopping.
        }

        if (File.Exists(Path.Combine(_settings.Spool, StopFileName)))
        {
            Log("stop requested");
            stopping.Cancel();
        }
    }

    private void Update(WalStreamStatus status)
    {
        _status = status with { Updated = _time.GetUtcNow() };
        try
        {
            _status.Write(_settings.Spool);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log($"cannot write {WalStreamStatus.FileName}: {ex.Message}");
        }
    }

    private void Log(string message)
    {
        _log.WriteLine($"{_time.GetUtcNow():yyyy-MM-dd HH:mm:ss.fff'Z'} pgbt-wal stream: {message}");
        _log.Flush();
    }
}
