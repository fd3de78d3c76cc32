namespace PgBackupTools.Engine.Postgres.Libpq;

/// <summary>One PGresult; freed on Dispose.</summary>
internal sealed unsafe class LibpqResult : IDisposable
{
    private const int SqlStateField = 'C';
    private readonly LibpqLibrary _pq;
    private nint _result;

    internal LibpqResult(LibpqLibrary pq, nint result)
    {
        _pq = pq;
        _result = result;
    }

    public LibpqResultStatus Status => (LibpqResultStatus)_pq.PQresultStatus(_result);

    public int Rows => _pq.PQntuples(_result);

    public int Columns => _pq.PQnfields(_result);

    public string? Value(int row, int column) =>
        _pq.PQgetisnull(_result, row, column) != 0 ? null : LibpqConnection.Text(_pq.PQgetvalue(_result, row, column));

    public string ErrorMessage => LibpqConnection.Text(_pq.PQresultErrorMessage(_result));

    public string? SqlState
    {
        get
        {
            var state = LibpqConnection.Text(_pq.PQresultErrorField(_result, SqlStateField));
            return state.Length == 0 ? null : state;
        }
    }

    /// <summary>Throws <see cref="LibpqException"/> unless the result has <paramref name="expected"/> status.</summary>
    public LibpqResult Expect(LibpqResultStatus expected)
    {
        if (Status != expected)
        {
            throw new LibpqException(ErrorMessage.Length > 0 ? ErrorMessage : $"unexpected result {Status}, expected {expected}", SqlState);
        }

        return this;
    }

    public void Dispose()
    {
        var result = _result;
        _result = 0;
        if (result != 0)
        {
            _pq.PQclear(result);
        }
    }
}

/// <summary>ExecStatusType values of libpq.</summary>
internal enum LibpqResultStatus
{
    EmptyQuery = 0,
    CommandOk = 1,
    TuplesOk = 2,
    CopyOut = 3,
    CopyIn = 4,
    BadResponse = 5,
    NonfatalError = 6,
    FatalError = 7,
}
