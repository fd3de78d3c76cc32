using System.Text.Json;
using PgBackupTools.Tests.Infrastructure;

namespace PgBackupTools.Tests.ArchiveScanner;

/// <summary>
/// A database full of the cases that could throw a row count off: names needing quotes or holding a newline,
/// values holding newlines, tabs, backslashes and raw bytes, partitions, inheritance, unlogged and empty tables,
/// sequences, indexes and large objects (one over 1 MiB, one empty).
/// </summary>
internal static class ArchiveScannerTestDatabase
{
    public const string Setup = """
        CREATE TABLE plain(id int PRIMARY KEY, t text);
        INSERT INTO plain SELECT g, 'row ' || g FROM generate_series(1, 20000) g;
        CREATE INDEX plain_t_idx ON plain(t);
        CREATE TABLE empty_table(id int);
        CREATE SCHEMA "My Schema ü";
        CREATE TABLE "My Schema ü"."Quoted ""Name"" ü ☃"(x int);
        INSERT INTO "My Schema ü"."Quoted ""Name"" ü ☃" VALUES (1), (2), (3);
        CREATE TABLE "new
        line"(x text);
        INSERT INTO "new
        line" VALUES (E'a\nb'), (E'c\\d'), (NULL), ('');
        CREATE TABLE tricky(t text, b bytea, j jsonb);
        INSERT INTO tricky VALUES
            (E'line1\nline2\r\nline3\ttab\\backslash', '\x000a0d5c'::bytea, '{"a": "x\ny", "b": [1, 2]}'),
            (repeat(E'long\n', 400000), decode(repeat('0a', 5000), 'hex'), 'null'),
            (E'\\.', NULL, NULL);
        CREATE TABLE measurements(id int, k int) PARTITION BY RANGE (k);
        CREATE TABLE measurements_low PARTITION OF measurements FOR VALUES FROM (0) TO (100);
        CREATE TABLE measurements_high PARTITION OF measurements FOR VALUES FROM (100) TO (200);
        INSERT INTO measurements SELECT g, g % 200 FROM generate_series(1, 777) g;
        CREATE TABLE base(a int);
        CREATE TABLE child(b int) INHERITS (base);
        INSERT INTO base VALUES (1), (2);
        INSERT INTO child VALUES (3, 3), (4, 4), (5, 5);
        CREATE UNLOGGED TABLE unlogged_table(a int);
        INSERT INTO unlogged_table SELECT generate_series(1, 7);
        CREATE SEQUENCE counter;
        SELECT nextval('counter');
        CREATE MATERIALIZED VIEW plain_summary AS SELECT count(*) AS n FROM plain;
        SELECT lo_from_bytea(0, 'hello');
        SELECT lo_from_bytea(0, decode(repeat('ab', 1200000), 'hex'));
        SELECT lo_from_bytea(0, '');
        """;

    /// <summary>Every ordinary table with its own rows (ONLY: inherited children are dumped separately).</summary>
    public static async Task<Dictionary<(string Schema, string Table), long>> CountRowsAsync(PostgresServerFixture server, string database)
    {
        var json = await server.ScalarAsync<string>(database, """
            SELECT json_agg(json_build_array(n.nspname, c.relname))::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            """);
        var counts = new Dictionary<(string, string), long>();
        foreach (var pair in JsonSerializer.Deserialize<string[][]>(json!)!)
        {
            var rows = await server.ScalarAsync<long>(database, $"SELECT count(*) FROM ONLY {Quote(pair[0])}.{Quote(pair[1])}");
            counts.Add((pair[0], pair[1]), rows);
        }

        return counts;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
