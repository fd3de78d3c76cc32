using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Repository;

namespace PgBackupTools.Engine.Wal;

/// <summary>
/// What pgbt-wal does, as a function of its arguments, so it is tested in-process. Exit codes follow what
/// PostgreSQL expects: archive-push 0 only once the file is durable (anything else makes the server retry);
/// archive-get 0 restored, 1 "not archived" (the normal end of recovery), and 126 for anything that must stop
/// recovery rather than end it early: a hole in the archive, a corrupt file, a wrong key. PostgreSQL treats an
/// exit code above 125 as fatal.
/// </summary>
public static class WalTool
{
    public const int Success = 0;
    public const int NotFound = 1;

    /// <summary>archive-push and stream: not done, try again (PostgreSQL retries archive_command).</summary>
    public const int Failed = 1;

    public const int Fatal = 126;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter error, string currentDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        var push = args.Count > 0 && args[0] == "archive-push";
        var stream = args.Count > 0 && args[0] == "stream";
        var failure = push || stream ? Failed : Fatal;
        var doing = stream ? "streaming" : push ? "archiving" : "restoring";
        try
        {
            var options = WalToolOptions.Parse(args);
            using var session = BackupRepository.Open(options.Repository);
            session.Unlock(KeySourceFor(options, session));
            if (options.Verb == "stream")
            {
                return await StreamAsync(options, session, error, time, cancellationToken).ConfigureAwait(false);
            }

            var walPath = Path.IsPathRooted(options.WalPath) ? options.WalPath : Path.Combine(currentDirectory, options.WalPath);
            var systemId = options.SystemIdentifier ?? PgControlFile.TryReadSystemIdentifier(currentDirectory)
                ?? (push ? WalPageHeader.TryReadSystemIdentifier(walPath) : null)
                ?? throw new PgBackupException(
                    "WalSystemUnknown",
                    ErrorKind.InvalidArgument,
                    $"Cannot tell which cluster '{options.WalFileName}' belongs to: '{currentDirectory}' is not a data directory (no global/pg_control). Pass --system-id.");
            using var archive = WalArchive.Open(session, systemId);
            if (push)
            {
                await WalPush.PushAsync(archive, walPath, options.WalFileName, options.Compression, time, cancellationToken).ConfigureAwait(false);
                return Success;
            }

            switch (await WalFetch.FetchAsync(archive, options.WalFileName, walPath, cancellationToken).ConfigureAwait(false))
            {
                case WalFetchResult.Restored:
                    return Success;
                case WalFetchResult.NotFound:
                    return NotFound;
                default:
                    await error.WriteLineAsync(
                        $"pgbt-wal: ERROR: WAL segment {options.WalFileName} is missing from the archive in '{session.Layout.Root}', but later segments of its timeline are there. " +
                        "Recovery stops here instead of ending early; put the segment back, or recover to a point before it.").ConfigureAwait(false);
                    return Fatal;
            }
        }
        catch (PgBackupException ex)
        {
            await error.WriteLineAsync($"pgbt-wal: ERROR: {ex.Message}").ConfigureAwait(false);
            return failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return stream ? Success : failure;
        }
        catch (UnauthorizedAccessException ex)
        {
            await error.WriteLineAsync(
                $"pgbt-wal: ERROR: {doing} failed: permission denied ({ex.Message}). " +
                $"pgbt-wal runs as '{Environment.UserName}', the account of the server or of the stream; that account needs read and write access to the repository and every folder in it.").ConfigureAwait(false);
            return failure;
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"pgbt-wal: ERROR: {doing} failed: {ex.Message}").ConfigureAwait(false);
            return failure;
        }
    }

    /// <summary>stream: 0 after a requested stop, 1 when it cannot run at all (bad options, locked spool, no pg_receivewal).</summary>
    private static async Task<int> StreamAsync(WalToolOptions options, RepositorySession session, TextWriter log, TimeProvider time, CancellationToken cancellationToken)
    {
        var receiver = options.PgReceiveWal
            ?? (await new PgToolLocator().FindNewestAsync(PgToolNames.PgReceiveWal, 11, cancellationToken).ConfigureAwait(false)).Path;
        var settings = new WalStreamSettings
        {
            Spool = Path.GetFullPath(options.Spool!),
            Slot = options.Slot,
            PgReceiveWal = receiver,
            SystemIdentifier = options.SystemIdentifier,
            Compression = options.Compression,
            Synchronous = options.Synchronous,
            PartialInterval = options.PartialInterval,
            ReceiverEnvironment = new Dictionary<string, string?> { ["LC_MESSAGES"] = "C" },
        };
        await new WalStreamer(settings, session, log, time).RunAsync(cancellationToken).ConfigureAwait(false);
        return Success;
    }

    private static KeySource? KeySourceFor(WalToolOptions options, RepositorySession session)
    {
        if (options.KeyFile is not null)
        {
            return KeySource.FromKeyFile(options.KeyFile);
        }

        if (Environment.GetEnvironmentVariable(WalToolOptions.PassphraseVariable) is { Length: > 0 } passphrase)
        {
            return KeySource.FromPassphrase(passphrase);
        }

        if (session.IsEncrypted)
        {
            throw new PgBackupException(
                "RepositoryKeyRequired",
                ErrorKind.SecurityError,
                $"Repository '{session.Layout.Root}' is encrypted: give --key-file, or set {WalToolOptions.PassphraseVariable} in the server's environment.");
        }

        return null;
    }
}
