using System.Globalization;
using System.Text;
using Npgsql;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Physical;

/// <summary>What recovery reached, read from the server once it finished.</summary>
public sealed record RecoveryOutcome(string? ReplayLsn, DateTimeOffset? LastTransactionTime, uint Timeline);

/// <summary>
/// Runs recovery on a restored data directory. The server first starts reachable only through a private socket
/// with a temporary trust-only pg_hba (no TCP, nothing else can connect) while it replays WAL; once recovery has
/// ended and the server promoted, it is stopped, and started again with its own configuration when asked to.
/// </summary>
public sealed class RecoveryServer
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly string _pgCtl;
    private readonly string _dataDirectory;
    private readonly ServerAccount _account;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly TimeProvider _time;

    public RecoveryServer(string pgCtl, string dataDirectory, ServerAccount account, IReadOnlyDictionary<string, string?> environment, TimeProvider time)
    {
        _pgCtl = pgCtl;
        _dataDirectory = dataDirectory;
        _account = account;
        _environment = environment;
        _time = time;
    }

    /// <summary>What restore_command needs from the recovering server's environment: the passphrase of a passphrase repository.</summary>
    public static IReadOnlyDictionary<string, string?> EnvironmentFor(KeySource? key) => key is PassphraseKeySource passphrase
        ? new Dictionary<string, string?> { [WalToolOptions.PassphraseVariable] = passphrase.Passphrase }
        : new Dictionary<string, string?>();

    public string RecoveryLog => Path.Combine(_dataDirectory, "pgbackuptools-recovery.log");
    public string ServerLog => Path.Combine(_dataDirectory, "pgbackuptools-server.log");

    /// <summary>Replays WAL to the target and returns what was reached; the server is stopped afterwards.</summary>
    /// <param name="whilePromoted">Runs against the promoted server (template1 over the private socket) before it is stopped.</param>
    public async Task<RecoveryOutcome> RecoverAsync(string superuser, TimeSpan timeout, CancellationToken cancellationToken, Func<NpgsqlConnectionStringBuilder, Task>? whilePromoted = null)
    {
        var privateDir = Path.Combine(Path.GetTempPath(), "pgbt-recovery-" + Guid.NewGuid().ToString("N")[..12]);
        SecureFileSystem.CreatePrivateDirectory(privateDir);
        try
        {
            var hba = Path.Combine(privateDir, "pg_hba.conf");
            await File.WriteAllTextAsync(hba, "local all all trust\n", cancellationToken).ConfigureAwait(false);
            await _account.GiveAsync(privateDir, cancellationToken).ConfigureAwait(false);
            const int Port = 5432;
            var options = string.Join(' ', [
                $"-c port={Port}", "-c listen_addresses=''", $"-c unix_socket_directories='{privateDir}'", $"-c hba_file='{hba}'",
                "-c logging_collector=off", "-c hot_standby=on"]);
            var started = await PgCtlAsync(["start", "-D", _dataDirectory, "-l", RecoveryLog, "-w", "-t", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-o", options], cancellationToken).ConfigureAwait(false);
            if (started.ExitCode != 0)
            {
                throw RecoveryFailed($"the server did not start or stopped during recovery ({started.StandardError.Trim()} {started.StandardOutput.Trim()})");
            }

            try
            {
                var connection = new NpgsqlConnectionStringBuilder
                {
                    Host = privateDir,
                    Port = Port,
                    Username = superuser,
                    Database = "template1",
                    Pooling = false,
                    Timeout = 10,
                };
                var outcome = await WaitForPromotionAsync(connection.ConnectionString, timeout, cancellationToken).ConfigureAwait(false);
                if (whilePromoted is not null)
                {
                    await whilePromoted(connection).ConfigureAwait(false);
                }

                return outcome;
            }
            finally
            {
                await StopAsync(immediate: cancellationToken.IsCancellationRequested, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(privateDir, recursive: true);
        }
    }

    /// <summary>Starts the recovered cluster with its own configuration (and the port the restore wrote).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Recovery is over: the running server needs no passphrase for restore_command, so none is left in its environment.
        var result = await PgCtlAsync(["start", "-D", _dataDirectory, "-l", ServerLog, "-w", "-t", "120"], cancellationToken, withRecoveryEnvironment: false).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new PgBackupException(
                "RestoredServerStartFailed",
                ErrorKind.InvalidOperation,
                $"Recovery finished, but the restored server did not start with its own configuration: {LastLines(ServerLog, 5)} Fix the setting the log names in '{_dataDirectory}/postgresql.conf' and start it with pg_ctl.")
            { Target = _dataDirectory };
        }
    }

    public async Task StopAsync(bool immediate, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            await PgCtlAsync(["stop", "-D", _dataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "120"], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<RecoveryOutcome> WaitForPromotionAsync(string connectionString, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await using var db = new NpgsqlConnection(connectionString);
                await db.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(
                    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp(), " +
                    "CASE WHEN pg_is_in_recovery() THEN 0 ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint END",
                    db);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (!reader.GetBoolean(0))
                {
                    return new RecoveryOutcome(
                        reader.IsDBNull(1) ? null : reader.GetString(1),
                        reader.IsDBNull(2) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc)),
                        (uint)reader.GetInt64(3));
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
            {
                if (!File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
                {
                    throw RecoveryFailed("the server stopped during recovery");
                }
            }

            if (_time.GetUtcNow() > deadline)
            {
                throw new PgBackupException(
                    "RecoveryTimeout",
                    ErrorKind.ResourceUnavailable,
                    $"Recovery in '{_dataDirectory}' did not finish within {timeout}. It was stopped; the server log is {RecoveryLog}. Raise -RecoveryTimeout for a long WAL history.")
                { Target = _dataDirectory };
            }

            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The reason recovery stopped, in the words of pgbt-wal or the server (from the recovery log).</summary>
    private PgBackupException RecoveryFailed(string what)
    {
        var log = File.Exists(RecoveryLog) ? File.ReadAllLines(RecoveryLog) : [];
        var reason = log.LastOrDefault(l => l.StartsWith("pgbt-wal: ERROR:", StringComparison.Ordinal))
            ?? log.LastOrDefault(l => l.Contains("FATAL:", StringComparison.Ordinal))
            ?? string.Join(' ', log.TakeLast(3));
        var walProblem = reason.StartsWith("pgbt-wal:", StringComparison.Ordinal);
        return new PgBackupException(
            walProblem ? "RecoveryWalUnavailable" : "RecoveryFailed",
            ErrorKind.InvalidData,
            $"Recovery did not reach its target: {what}. {reason.Trim()} Nothing was started; the full log is {RecoveryLog}.")
        { Target = _dataDirectory };
    }

    private static string LastLines(string path, int count) =>
        File.Exists(path) ? string.Join(' ', File.ReadLines(path).TakeLast(count)) : "(no log)";

    private Task<ChildProcessResult> PgCtlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, bool withRecoveryEnvironment = true)
    {
        var environment = withRecoveryEnvironment ? _environment : _environment.ToDictionary(e => e.Key, e => (string?)null);
        return ChildProcess.RunToCompletionAsync(_account.Command(_pgCtl, arguments, environment) with { WorkingDirectory = _dataDirectory }, cancellationToken);
    }

}
