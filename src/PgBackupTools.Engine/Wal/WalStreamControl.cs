using System.Globalization;
using System.Text;
using Npgsql;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Jobs;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>What Start-PgWalStream starts.</summary>
public sealed record WalStreamStartRequest
{
    public required string Repository { get; init; }
    public required string Slot { get; init; }
    public required string Spool { get; init; }
    public required string ToolPath { get; init; }
    public required PgConnectionSettings Connection { get; init; }
    public string? KeyFile { get; init; }

    /// <summary>Handed to the stream in PGBACKUPTOOLS_PASSPHRASE, never on its command line.</summary>
    public string? Passphrase { get; init; }

    public CompressionSettings Compression { get; init; } = CompressionSettings.Default;
    public bool Synchronous { get; init; }
    public TimeSpan PartialInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public string? PgBinDirectory { get; init; }
}

/// <summary>
/// Starts a detached <c>pgbt-wal stream</c> (its own session, so it outlives the PowerShell that started it), finds it
/// again through &lt;spool&gt;/pgbt-wal.pid and status.json, and stops it with a stop file in the spool (and SIGTERM
/// where signals exist). The password reaches it (and
/// pg_receivewal) only through a 0600 password file in the spool, removed on stop.
/// </summary>
public static class WalStreamControl
{
    public const string SpoolFolderName = "wal-spool";
    public const string PidFileName = "pgbt-wal.pid";
    public const string PassFileName = "pgpass";
    public const string LogFileName = "stream.log";
    public const string ToolProgram = "pgbt-wal";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    public static string DefaultSpool(string repository, string slot) => Path.Combine(repository, SpoolFolderName, slot);

    /// <summary>
    /// Throws RepositoryNotFound or RepositoryNotInitialized: a mistyped -Repository would otherwise just show no
    /// streams.
    /// </summary>
    public static void RequireRepository(string repository)
    {
        using var session = BackupRepository.Open(repository);
    }

    /// <summary>The slots that have a spool in the default place of a repository.</summary>
    public static IReadOnlyList<string> ListSlots(string repository)
    {
        var root = Path.Combine(repository, SpoolFolderName);
        return Directory.Exists(root)
            ? Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>().Where(WalToolOptions.IsValidSlotName).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    public static WalStream Describe(string repository, string slot, string spool)
    {
        var status = Directory.Exists(spool) ? WalStreamStatus.TryRead(spool) : null;
        var process = RecordedProcess(spool, status);
        var pid = process?.Id;
        var running = process is not null && IsStreamProcess(process);
        return new WalStream
        {
            Repository = repository,
            Slot = slot,
            SpoolPath = spool,
            ProcessId = pid,
            Running = running,
            State = status is null ? null : running || status.State is WalStreamStatus.Stopped or WalStreamStatus.Failed ? status.State : WalStreamStatus.Failed,
            Started = status?.Started,
            LastSegment = status?.LastSegment,
            LastPushed = status?.LastPushed,
            PushedCount = status?.PushedCount ?? 0,
            LastError = status is not null && !running && status.State is not (WalStreamStatus.Stopped or WalStreamStatus.Failed)
                ? status.LastError ?? "The stream process ended without stopping cleanly (killed?)."
                : status?.LastError,
            SystemIdentifier = status?.SystemIdentifier,
            LogPath = Path.Combine(spool, LogFileName),
        };
    }

    /// <summary>
    /// True when the process is a live pgbt-wal stream, not another process that reused the id: its name (and on Linux
    /// its arguments) and, when known, its start time must match.
    /// </summary>
    private static bool IsStreamProcess(StreamProcess process) => ProcessSignals.IsRunning(process.Id, ToolProgram, "stream", process.Started);

    /// <summary>The stream's process as the pid file (Start-PgWalStream) or else status.json (a service) records it.</summary>
    private static StreamProcess? RecordedProcess(string spool, WalStreamStatus? status) =>
        ReadPidFile(spool) ?? (status is null ? null : new StreamProcess(status.ProcessId, status.ProcessStarted));

    public static async Task<WalStream> StartAsync(WalStreamStartRequest request, IJobReporter reporter, CancellationToken cancellationToken)
    {
        var existing = Describe(request.Repository, request.Slot, request.Spool);
        if (existing.Running)
        {
            throw new PgBackupException(
                "WalStreamRunning",
                ErrorKind.ResourceBusy,
                $"A WAL stream for slot {request.Slot} already runs (pgbt-wal pid {existing.ProcessId}, spool '{request.Spool}'). Stop it first with Stop-PgWalStream.")
            { Target = request.Spool };
        }

        var connection = request.Connection;
        var server = await PgServerInfo.QueryAsync(connection, cancellationToken).ConfigureAwait(false);
        var facts = await PhysicalServerFacts.QueryAsync(connection, cancellationToken).ConfigureAwait(false);
        RequireStreamable(facts, connection);
        var receiver = await new PgToolLocator(request.PgBinDirectory).FindAsync(PgToolNames.PgReceiveWal, server.Major, cancellationToken).ConfigureAwait(false);

        SecureFileSystem.CreatePrivateDirectory(Path.Combine(request.Repository, SpoolFolderName));
        SecureFileSystem.CreatePrivateDirectory(request.Spool);
        File.Delete(Path.Combine(request.Spool, WalStreamer.StopFileName));
        var passFile = WritePassFile(request.Spool, connection);
        var environment = new Dictionary<string, string?>(connection.ChildEnvironment(passFile))
        {
            [WalToolOptions.PassphraseVariable] = request.Passphrase,
        };

        var arguments = new List<string>
        {
            "stream", "--repository", request.Repository, "--spool", request.Spool, "--slot", request.Slot,
            "--pg-receivewal", receiver.Path, "--system-id", facts.SystemIdentifier,
            "--compression", request.Compression.Algorithm switch
            {
                CompressionAlgorithm.Gzip => "gzip",
                CompressionAlgorithm.None => "none",
                _ => "zstd",
            },
        };
        if (request.Compression.Algorithm != CompressionAlgorithm.None)
        {
            arguments.AddRange(["--level", request.Compression.Level.ToString(CultureInfo.InvariantCulture)]);
        }

        if (request.KeyFile is not null)
        {
            arguments.AddRange(["--key-file", request.KeyFile]);
        }

        if (request.Synchronous)
        {
            arguments.Add("--synchronous");
        }

        arguments.AddRange(["--partial-interval", ((int)request.PartialInterval.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        var log = Path.Combine(request.Spool, LogFileName);
        var logStart = File.Exists(log) ? new FileInfo(log).Length : 0;
        var started = await DetachedProcess.StartAsync(request.ToolPath, arguments, environment, log, cancellationToken).ConfigureAwait(false);
        var pid = started.ProcessId;
        var process = new StreamProcess(pid, ProcessSignals.StartTime(pid));
        WritePidFile(request.Spool, process);
        if (started.EndsWithJob)
        {
            reporter.Warning(
                $"The WAL stream (pgbt-wal pid {pid}) could not leave the Windows job object this PowerShell runs in, so it ends when that job ends " +
                "(a scheduled task that is stopped or exceeds its time limit). For a stream that outlives the task, run pgbt-wal stream as the task's own action (Get-Help Start-PgWalStream -Full).");
        }

        var deadline = DateTimeOffset.UtcNow + request.StartTimeout;
        var execDeadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = WalStreamStatus.TryRead(request.Spool);
            var alive = IsStreamProcess(process);
            if (!alive && ProcessSignals.StartTime(pid) is not null && DateTimeOffset.UtcNow < execDeadline)
            {
                // Just after the fork the child is still the shell or setsid, not yet pgbt-wal, and while it execs
                // /proc/<pid>/cmdline can read empty: a process that exists gets a moment.
                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!alive)
            {
                RemoveFiles(request.Spool);
                throw new PgBackupException(
                    "WalStreamFailed",
                    ErrorKind.InvalidOperation,
                    $"pgbt-wal stream ended right after it started. Its log ('{log}') says:\n{LogTail(log, logStart)}")
                { Target = log };
            }

            if (status?.ProcessId == pid && status.State == WalStreamStatus.Running
                && await SlotActiveAsync(connection, request.Slot, cancellationToken).ConfigureAwait(false))
            {
                return Describe(request.Repository, request.Slot, request.Spool);
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                await StopProcessAsync(process, request.Spool, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                RemoveFiles(request.Spool);
                throw new PgBackupException(
                    "WalStreamFailed",
                    ErrorKind.ConnectionError,
                    $"pg_receivewal did not start streaming from slot {request.Slot} within {request.StartTimeout.TotalSeconds:0} s, so the stream was stopped. " +
                    $"{(status?.LastError is { } error ? "Last error: " + error + " " : "")}The log ('{log}') says:\n{LogTail(log, logStart)}")
                { Target = log };
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the stream of a spool: SIGTERM (and the stop file), waits, removes the password and pid files.</summary>
    public static async Task<WalStream> StopAsync(string repository, string slot, string spool, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var current = Describe(repository, slot, spool);
        if (current.Running && RecordedProcess(spool, WalStreamStatus.TryRead(spool)) is { } process)
        {
            if (!await StopProcessAsync(process, spool, timeout, cancellationToken).ConfigureAwait(false))
            {
                throw new PgBackupException(
                    "WalStreamStopTimeout",
                    ErrorKind.OperationStopped,
                    $"pgbt-wal stream (pid {process.Id}) did not stop within {timeout.TotalSeconds:0} s; see '{current.LogPath}'. It is still running; try again with a longer -Timeout.")
                { Target = spool };
            }
        }

        RemoveFiles(spool);
        return Describe(repository, slot, spool);
    }

    /// <summary>The stop file is the request everywhere (Windows has no SIGTERM); the signal only makes it quicker.</summary>
    private static async Task<bool> StopProcessAsync(StreamProcess process, string spool, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await File.WriteAllBytesAsync(Path.Combine(spool, WalStreamer.StopFileName), [], cancellationToken).ConfigureAwait(false);
        ProcessSignals.Send(process.Id, ProcessSignals.SigTerm);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (IsStreamProcess(process))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static void RemoveFiles(string spool)
    {
        if (!Directory.Exists(spool))
        {
            return;
        }

        foreach (var name in new[] { PassFileName, PidFileName, WalStreamer.StopFileName })
        {
            File.Delete(Path.Combine(spool, name));
        }
    }

    private static void RequireStreamable(PhysicalServerFacts facts, PgConnectionSettings connection)
    {
        if (facts.WalLevel == "minimal" || facts.MaxWalSenders < 1)
        {
            throw new PgBackupException(
                "WalStreamingUnavailable",
                ErrorKind.InvalidOperation,
                $"{connection.Endpoint} cannot stream WAL: wal_level is {facts.WalLevel} and max_wal_senders {facts.MaxWalSenders}. Set wal_level = replica and max_wal_senders > 0 (the defaults) and restart the server.")
            { Target = connection.Endpoint };
        }

        if (!facts.CanReplicate)
        {
            throw new PgBackupException(
                "WalStreamingNotPermitted",
                ErrorKind.PermissionDenied,
                $"Role {facts.CurrentUser} on {connection.Endpoint} may not stream WAL: it needs the REPLICATION attribute (ALTER ROLE {facts.CurrentUser} REPLICATION) and a 'replication' line in pg_hba.conf.")
            { Target = connection.Endpoint };
        }
    }

    private static string? WritePassFile(string spool, PgConnectionSettings connection)
    {
        var path = Path.Combine(spool, PassFileName);
        File.Delete(path);
        if (!connection.HasPassword)
        {
            return null;
        }

        using (var stream = SecureFileSystem.CreateNewPrivateFile(path))
        {
            stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(PgPassFile.Content(connection)));
            stream.Flush(flushToDisk: true);
        }

        return path;
    }

    private static async Task<bool> SlotActiveAsync(PgConnectionSettings connection, string slot, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = new NpgsqlConnection(connection.NpgsqlConnectionString());
            await db.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT active FROM pg_replication_slots WHERE slot_name = $1", db);
            command.Parameters.Add(new NpgsqlParameter { Value = slot });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
        catch (NpgsqlException ex)
        {
            throw PgErrorTranslator.Translate(ex, connection);
        }
    }

    /// <summary>&lt;spool&gt;/pgbt-wal.pid: the process id, then (since 2026-12) its start time, round-trip format.</summary>
    private static void WritePidFile(string spool, StreamProcess process)
    {
        var text = process.Id.ToString(CultureInfo.InvariantCulture)
            + (process.Started is { } started ? " " + started.ToString("O", CultureInfo.InvariantCulture) : "");
        SecureFileSystem.WriteAllBytesAtomic(Path.Combine(spool, PidFileName), Encoding.ASCII.GetBytes(text + "\n"));
    }

    private static StreamProcess? ReadPidFile(string spool)
    {
        try
        {
            var fields = File.ReadAllText(Path.Combine(spool, PidFileName)).Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            return new StreamProcess(
                pid,
                fields.Length > 1 && DateTimeOffset.TryParseExact(fields[1], "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var started) ? started : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string LogTail(string log, long from)
    {
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Position = Math.Max(from, stream.Length - 8192);
            var text = new StreamReader(stream).ReadToEnd().Trim();
            return text.Length == 0 ? "(nothing)" : text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "(no log)";
        }
    }

    private sealed record StreamProcess(int Id, DateTimeOffset? Started);
}
