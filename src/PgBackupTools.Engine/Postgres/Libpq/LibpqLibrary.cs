using System.Runtime.InteropServices;

namespace PgBackupTools.Engine.Postgres.Libpq;

/// <summary>
/// The client library of PostgreSQL, loaded at run time from where the server's client tools are (or where the
/// system keeps it), for the one job Npgsql cannot do: receiving BASE_BACKUP with server-side compression. Function
/// pointers rather than DllImport, so no resolver is registered on the engine assembly, which may share its process
/// with other modules' copies of it.
/// </summary>
internal sealed unsafe class LibpqLibrary
{
    private static readonly object LoadLock = new();
    private static LibpqLibrary? _loaded;

    private LibpqLibrary(nint handle, string source)
    {
        Source = source;
        PQconnectdb = (delegate* unmanaged[Cdecl]<byte*, nint>)NativeLibrary.GetExport(handle, "PQconnectdb");
        PQstatus = (delegate* unmanaged[Cdecl]<nint, int>)NativeLibrary.GetExport(handle, "PQstatus");
        PQerrorMessage = (delegate* unmanaged[Cdecl]<nint, byte*>)NativeLibrary.GetExport(handle, "PQerrorMessage");
        PQserverVersion = (delegate* unmanaged[Cdecl]<nint, int>)NativeLibrary.GetExport(handle, "PQserverVersion");
        PQsendQuery = (delegate* unmanaged[Cdecl]<nint, byte*, int>)NativeLibrary.GetExport(handle, "PQsendQuery");
        PQgetResult = (delegate* unmanaged[Cdecl]<nint, nint>)NativeLibrary.GetExport(handle, "PQgetResult");
        PQresultStatus = (delegate* unmanaged[Cdecl]<nint, int>)NativeLibrary.GetExport(handle, "PQresultStatus");
        PQresultErrorMessage = (delegate* unmanaged[Cdecl]<nint, byte*>)NativeLibrary.GetExport(handle, "PQresultErrorMessage");
        PQresultErrorField = (delegate* unmanaged[Cdecl]<nint, int, byte*>)NativeLibrary.GetExport(handle, "PQresultErrorField");
        PQntuples = (delegate* unmanaged[Cdecl]<nint, int>)NativeLibrary.GetExport(handle, "PQntuples");
        PQnfields = (delegate* unmanaged[Cdecl]<nint, int>)NativeLibrary.GetExport(handle, "PQnfields");
        PQgetvalue = (delegate* unmanaged[Cdecl]<nint, int, int, byte*>)NativeLibrary.GetExport(handle, "PQgetvalue");
        PQgetisnull = (delegate* unmanaged[Cdecl]<nint, int, int, int>)NativeLibrary.GetExport(handle, "PQgetisnull");
        PQclear = (delegate* unmanaged[Cdecl]<nint, void>)NativeLibrary.GetExport(handle, "PQclear");
        PQgetCopyData = (delegate* unmanaged[Cdecl]<nint, byte**, int, int>)NativeLibrary.GetExport(handle, "PQgetCopyData");
        PQfreemem = (delegate* unmanaged[Cdecl]<void*, void>)NativeLibrary.GetExport(handle, "PQfreemem");
        PQgetCancel = (delegate* unmanaged[Cdecl]<nint, nint>)NativeLibrary.GetExport(handle, "PQgetCancel");
        PQcancel = (delegate* unmanaged[Cdecl]<nint, byte*, int, int>)NativeLibrary.GetExport(handle, "PQcancel");
        PQfreeCancel = (delegate* unmanaged[Cdecl]<nint, void>)NativeLibrary.GetExport(handle, "PQfreeCancel");
        PQfinish = (delegate* unmanaged[Cdecl]<nint, void>)NativeLibrary.GetExport(handle, "PQfinish");
        PQisthreadsafe = (delegate* unmanaged[Cdecl]<int>)NativeLibrary.GetExport(handle, "PQisthreadsafe");
        PQconndefaults = (delegate* unmanaged[Cdecl]<ConnectionOption*>)NativeLibrary.GetExport(handle, "PQconndefaults");
        PQconninfoFree = (delegate* unmanaged[Cdecl]<ConnectionOption*, void>)NativeLibrary.GetExport(handle, "PQconninfoFree");
        EnvironmentKeywords = ReadEnvironmentKeywords();
    }

    /// <summary>The file that was loaded, or the name the system resolved.</summary>
    public string Source { get; }

    public delegate* unmanaged[Cdecl]<byte*, nint> PQconnectdb { get; }
    public delegate* unmanaged[Cdecl]<nint, int> PQstatus { get; }
    public delegate* unmanaged[Cdecl]<nint, byte*> PQerrorMessage { get; }
    public delegate* unmanaged[Cdecl]<nint, int> PQserverVersion { get; }
    public delegate* unmanaged[Cdecl]<nint, byte*, int> PQsendQuery { get; }
    public delegate* unmanaged[Cdecl]<nint, nint> PQgetResult { get; }
    public delegate* unmanaged[Cdecl]<nint, int> PQresultStatus { get; }
    public delegate* unmanaged[Cdecl]<nint, byte*> PQresultErrorMessage { get; }
    public delegate* unmanaged[Cdecl]<nint, int, byte*> PQresultErrorField { get; }
    public delegate* unmanaged[Cdecl]<nint, int> PQntuples { get; }
    public delegate* unmanaged[Cdecl]<nint, int> PQnfields { get; }
    public delegate* unmanaged[Cdecl]<nint, int, int, byte*> PQgetvalue { get; }
    public delegate* unmanaged[Cdecl]<nint, int, int, int> PQgetisnull { get; }
    public delegate* unmanaged[Cdecl]<nint, void> PQclear { get; }
    public delegate* unmanaged[Cdecl]<nint, byte**, int, int> PQgetCopyData { get; }
    public delegate* unmanaged[Cdecl]<void*, void> PQfreemem { get; }
    public delegate* unmanaged[Cdecl]<nint, nint> PQgetCancel { get; }
    public delegate* unmanaged[Cdecl]<nint, byte*, int, int> PQcancel { get; }
    public delegate* unmanaged[Cdecl]<nint, void> PQfreeCancel { get; }
    public delegate* unmanaged[Cdecl]<nint, void> PQfinish { get; }
    public delegate* unmanaged[Cdecl]<int> PQisthreadsafe { get; }
    public delegate* unmanaged[Cdecl]<ConnectionOption*> PQconndefaults { get; }
    public delegate* unmanaged[Cdecl]<ConnectionOption*, void> PQconninfoFree { get; }

    /// <summary>
    /// Each connection keyword this libpq knows that an environment variable can set (sslrootcert ← PGSSLROOTCERT,
    /// ...), as libpq itself lists them: a child tool would read these from the environment we give it, but libpq in
    /// this process cannot see what pwsh's $env: changed (.NET keeps its own copy of the environment on Unix).
    /// </summary>
    public IReadOnlyList<(string Keyword, string Variable)> EnvironmentKeywords { get; }

    /// <summary>
    /// libpq, loaded once per process: first next to <paramref name="toolDirectory"/> (the bin folder of the client
    /// tools of the server's version), then by the system's own search. Null, with the reason, when there is none
    /// usable; callers then fall back to running the client tools.
    /// </summary>
    public static LibpqLibrary? TryLoad(string? toolDirectory, out string? reason)
    {
        lock (LoadLock)
        {
            if (_loaded is not null)
            {
                reason = null;
                return _loaded;
            }

            var tried = new List<string>();
            foreach (var candidate in Candidates(toolDirectory))
            {
                tried.Add(candidate);
                if (!NativeLibrary.TryLoad(candidate, out var handle))
                {
                    continue;
                }

                try
                {
                    var library = new LibpqLibrary(handle, candidate);
                    if (library.PQisthreadsafe() == 0)
                    {
                        continue;
                    }

                    _loaded = library;
                    reason = null;
                    return library;
                }
                catch (EntryPointNotFoundException)
                {
                    // A libpq too old for this use (PQgetCopyData and PQcancel are in every supported one).
                }
            }

            reason = "no usable libpq was found (tried " + string.Join(", ", tried) + ")";
            return null;
        }
    }

    private List<(string Keyword, string Variable)> ReadEnvironmentKeywords()
    {
        var keywords = new List<(string, string)>();
        var options = PQconndefaults();
        if (options is null)
        {
            return keywords;
        }

        try
        {
            for (var option = options; option->Keyword is not null; option++)
            {
                if (option->EnvironmentVariable is not null)
                {
                    keywords.Add((LibpqConnection.Text(option->Keyword), LibpqConnection.Text(option->EnvironmentVariable)));
                }
            }
        }
        finally
        {
            PQconninfoFree(options);
        }

        return keywords;
    }

    /// <summary>libpq's PQconninfoOption, as far as it is read here (the layout is stable since PostgreSQL 7).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ConnectionOption
    {
        public byte* Keyword;
        public byte* EnvironmentVariable;
        public byte* Compiled;
        public byte* Value;
        public byte* Label;
        public byte* DisplayCharacter;
        public int DisplaySize;
    }

    internal static IEnumerable<string> Candidates(string? toolDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            if (toolDirectory is not null)
            {
                yield return Path.Combine(toolDirectory, "libpq.dll");
            }

            yield return "libpq.dll";
        }
        else if (OperatingSystem.IsMacOS())
        {
            if (toolDirectory is not null)
            {
                yield return Path.GetFullPath(Path.Combine(toolDirectory, "..", "lib", "libpq.5.dylib"));
            }

            yield return "libpq.5.dylib";
            yield return "/opt/homebrew/opt/libpq/lib/libpq.5.dylib";
            yield return "/usr/local/opt/libpq/lib/libpq.5.dylib";
        }
        else
        {
            if (toolDirectory is not null)
            {
                yield return Path.GetFullPath(Path.Combine(toolDirectory, "..", "lib", "libpq.so.5"));
            }

            yield return "libpq.so.5";
        }
    }
}
