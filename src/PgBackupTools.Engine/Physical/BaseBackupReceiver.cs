using System.Text;
using PgBackupTools.Engine.Postgres.Libpq;
using PgBackupTools.Engine.Wal;

namespace PgBackupTools.Engine.Physical;

/// <summary>Where the parts of a BASE_BACKUP stream go, in the order the server sends them.</summary>
internal interface IBaseBackupStreamSink
{
    /// <summary>The server's estimate of the bytes it will send (PROGRESS), before any data.</summary>
    void OnEstimatedSize(long bytes);

    /// <summary>Data of the archive (the tar, compressed as asked): only one, the cluster has no user tablespace.</summary>
    void OnArchiveData(ReadOnlySpan<byte> data);

    /// <summary>backup_manifest, which the server sends after the archive, uncompressed.</summary>
    void OnManifestData(ReadOnlySpan<byte> data);
}

/// <summary>Where the backup's WAL starts and ends, as the server reported them.</summary>
internal sealed record BaseBackupPositions(Lsn Start, uint StartTimeline, Lsn End, uint EndTimeline);

/// <summary>
/// Runs BASE_BACKUP on a replication connection and takes its answer apart (PostgreSQL 15 and later): the start
/// position, the tablespace list, one COPY stream of CopyData messages ('n' new archive, 'd' data, 'm' manifest
/// follows, 'p' progress), then the end position. Blocks the calling thread; cancellation asks the server to cancel.
/// </summary>
internal static class BaseBackupReceiver
{
    public static BaseBackupPositions Run(LibpqConnection connection, string command, IBaseBackupStreamSink sink, CancellationToken cancellationToken)
    {
        using var cancel = cancellationToken.Register(connection.Cancel);
        connection.SendQuery(command);
        Lsn? start = null;
        uint startTimeline = 0;
        BaseBackupPositions? end = null;
        var headerSeen = false;
        var archives = 0;
        var inManifest = false;
        var manifestSeen = false;
        while (connection.NextResult() is { } result)
        {
            using (result)
            {
                switch (result.Status)
                {
                    case LibpqResultStatus.TuplesOk when start is null:
                        (start, startTimeline) = Position(result, "start");
                        break;
                    case LibpqResultStatus.TuplesOk when !headerSeen:
                        headerSeen = true;
                        RequireDefaultTablespacesOnly(result);
                        if (EstimatedBytes(result) is { } estimate)
                        {
                            sink.OnEstimatedSize(estimate);
                        }

                        break;
                    case LibpqResultStatus.TuplesOk:
                        var (stop, stopTimeline) = Position(result, "end");
                        end = new BaseBackupPositions(start.Value, startTimeline, stop, stopTimeline);
                        break;
                    case LibpqResultStatus.CopyOut:
                        while (connection.ReceiveCopyData(Dispatch))
                        {
                        }

                        break;
                    case LibpqResultStatus.CommandOk:
                        break;
                    default:
                        cancellationToken.ThrowIfCancellationRequested();
                        result.Expect(LibpqResultStatus.CommandOk);
                        break;
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (end is null || archives != 1 || !manifestSeen)
        {
            throw new LibpqException(
                $"the server ended BASE_BACKUP without {(end is null ? "its end position" : archives != 1 ? "exactly one archive" : "a backup_manifest")}",
                null);
        }

        return end;

        void Dispatch(ReadOnlySpan<byte> message)
        {
            if (message.IsEmpty)
            {
                throw new LibpqException("the server sent an empty CopyData message", null);
            }

            switch ((char)message[0])
            {
                case 'n':
                    archives++;
                    inManifest = false;
                    if (archives > 1)
                    {
                        throw BaseBackupScanner.TablespacesNotSupported(ArchiveName(message[1..]));
                    }

                    break;
                case 'm':
                    inManifest = true;
                    manifestSeen = true;
                    break;
                case 'd' when inManifest:
                    sink.OnManifestData(message[1..]);
                    break;
                case 'd' when archives == 1:
                    sink.OnArchiveData(message[1..]);
                    break;
                case 'p':
                    break;
                default:
                    throw new LibpqException($"the server sent an unexpected CopyData message '{(char)message[0]}'", null);
            }
        }
    }

    private static (Lsn Lsn, uint Timeline) Position(LibpqResult result, string which)
    {
        if (result.Rows != 1 || result.Columns < 2
            || !Lsn.TryParse(result.Value(0, 0) ?? "", out var lsn)
            || !uint.TryParse(result.Value(0, 1), out var timeline))
        {
            throw new LibpqException($"the server's BASE_BACKUP {which} position could not be read", null);
        }

        return (lsn, timeline);
    }

    /// <summary>The header's size column, in kB, when the server estimated it (PROGRESS); null otherwise.</summary>
    private static long? EstimatedBytes(LibpqResult header)
    {
        long total = 0;
        for (var row = 0; row < header.Rows; row++)
        {
            if (header.Columns < 3 || !long.TryParse(header.Value(row, 2), out var kilobytes) || kilobytes < 0)
            {
                return null;
            }

            total += kilobytes * 1024;
        }

        return total > 0 ? total : null;
    }

    private static void RequireDefaultTablespacesOnly(LibpqResult header)
    {
        for (var row = 0; row < header.Rows; row++)
        {
            if (header.Value(row, 0) is { } oid)
            {
                throw BaseBackupScanner.TablespacesNotSupported($"tablespace {oid} at '{header.Value(row, 1)}'");
            }
        }
    }

    private static string ArchiveName(ReadOnlySpan<byte> payload)
    {
        var end = payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? payload : payload[..end]);
    }
}
