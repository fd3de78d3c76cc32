using System.Runtime.InteropServices;
using System.Text;

namespace PgBackupTools.Engine.Postgres.Libpq;

/// <summary>
/// One libpq connection, used from one thread at a time, except <see cref="Cancel"/>, which libpq allows from any
/// thread (it opens a separate connection that asks the server to cancel what runs).
/// </summary>
internal sealed unsafe class LibpqConnection : IDisposable
{
    private const int ConnectionOk = 0;
    private readonly LibpqLibrary _pq;
    private nint _connection;
    private nint _cancel;

    private LibpqConnection(LibpqLibrary pq, nint connection)
    {
        _pq = pq;
        _connection = connection;
        _cancel = pq.PQgetCancel(connection);
    }

    /// <summary>Connects; on failure throws <see cref="LibpqException"/> with libpq's message.</summary>
    public static LibpqConnection Open(LibpqLibrary pq, string connectionInfo)
    {
        var bytes = NullTerminated(connectionInfo);
        nint connection;
        fixed (byte* info = bytes)
        {
            connection = pq.PQconnectdb(info);
        }

        Array.Clear(bytes);
        if (connection == 0)
        {
            throw new LibpqException("libpq could not allocate a connection.", null);
        }

        if (pq.PQstatus(connection) != ConnectionOk)
        {
            var message = Text(pq.PQerrorMessage(connection));
            pq.PQfinish(connection);
            throw new LibpqException(message, null);
        }

        return new LibpqConnection(pq, connection);
    }

    /// <summary>The server's version as libpq reports it (150004 for 15.4).</summary>
    public int ServerVersion => _pq.PQserverVersion(Handle);

    public void SendQuery(string command)
    {
        var bytes = NullTerminated(command);
        fixed (byte* text = bytes)
        {
            if (_pq.PQsendQuery(Handle, text) != 1)
            {
                throw new LibpqException(ErrorMessage, null);
            }
        }
    }

    /// <summary>The next result of the running command, or null when it has no more.</summary>
    public LibpqResult? NextResult()
    {
        var result = _pq.PQgetResult(Handle);
        return result == 0 ? null : new LibpqResult(_pq, result);
    }

    /// <summary>
    /// Blocks for the next CopyData message of a COPY OUT and hands it to <paramref name="receive"/> (valid only
    /// during the call). False when the copy has ended; throws when the connection failed.
    /// </summary>
    public bool ReceiveCopyData(CopyDataHandler receive)
    {
        byte* buffer = null;
        var length = _pq.PQgetCopyData(Handle, &buffer, 0);
        if (length == -1)
        {
            return false;
        }

        if (length < 0)
        {
            throw new LibpqException(ErrorMessage, null);
        }

        try
        {
            receive(new ReadOnlySpan<byte>(buffer, length));
        }
        finally
        {
            _pq.PQfreemem(buffer);
        }

        return true;
    }

    /// <summary>Asks the server to cancel the running command; the blocked receiver then sees an error.</summary>
    public void Cancel()
    {
        var cancel = Volatile.Read(ref _cancel);
        if (cancel == 0)
        {
            return;
        }

        var error = stackalloc byte[256];
        _ = _pq.PQcancel(cancel, error, 256);
    }

    public string ErrorMessage => Text(_pq.PQerrorMessage(Handle));

    private nint Handle => _connection != 0 ? _connection : throw new ObjectDisposedException(nameof(LibpqConnection));

    public void Dispose()
    {
        var cancel = Interlocked.Exchange(ref _cancel, 0);
        if (cancel != 0)
        {
            _pq.PQfreeCancel(cancel);
        }

        var connection = Interlocked.Exchange(ref _connection, 0);
        if (connection != 0)
        {
            _pq.PQfinish(connection);
        }
    }

    internal static string Text(byte* text) => text is null ? "" : (Marshal.PtrToStringUTF8((nint)text) ?? "").Trim();

    private static byte[] NullTerminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}

internal delegate void CopyDataHandler(ReadOnlySpan<byte> message);
