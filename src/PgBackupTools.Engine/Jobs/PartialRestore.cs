using System.Text;
using Npgsql;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Restores selected tables into an existing database in ONE transaction: pg_restore writes the selected
/// entries as a script, psql runs it with --single-transaction after deleting the current rows of tables that
/// are replaced (with triggers and foreign-key checks off, session_replication_role = replica, so no other
/// table is touched). Any error rolls everything back: the target is as it was.
/// </summary>
internal sealed class PartialRestore(PgTool pgRestore, PgTool psql, StoredBackup stored, DataKey? dataKey, BackupCatalog catalog, ILogger logger)
{
    public async Task<IReadOnlyList<TableRowCount>> RunAsync(RestoreRequest request, PgPassFile passFile, CancellationToken cancellationToken)
    {
        var target = request.Connection.WithDatabase(request.TargetDatabase);
        var selected = PartialRestorePlan.Select(catalog, request.Schemas, request.Tables);
        var existing = await ExistingTablesAsync(target, selected, cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0 && !request.Force)
        {
            throw new PgBackupException(
                "TableExists",
                ErrorKind.ResourceExists,
                $"{string.Join(", ", existing.Select(t => $"{t.Schema}.{t.Table}"))} already exist in '{request.TargetDatabase}'. Add -Force to replace their rows with the backup's (in one transaction; nothing else is changed).")
            { Target = request.TargetDatabase };
        }

        var plan = PartialRestorePlan.Create(catalog, selected, existing.Contains);
        var wanted = plan.DataEntries.Concat(plan.RecreateEntries).ToHashSet();
        var runner = new PgRestoreRunner(pgRestore, stored, dataKey, null, null, logger, null);
        var list = (await runner.ListAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(l => l.Length > 0 && char.IsAsciiDigit(l[0]) && wanted.Contains(ParallelRestorePlan.DumpId(l)))
            .ToList();
        logger.Information(
            "Restoring {Tables} tables into {Target}: rows replaced in {Replaced}, recreated {Recreated}; {Entries} archive entries in one transaction",
            selected.Count, request.TargetDatabase, plan.ReplaceData.Count, plan.Recreate.Count, list.Count);

        var directory = Path.Combine(Path.GetTempPath(), "pgbt-" + Guid.NewGuid().ToString("N")[..12]);
        SecureFileSystem.CreatePrivateDirectory(directory);
        try
        {
            var listFile = Path.Combine(directory, "partial.list");
            await using (var file = SecureFileSystem.CreateNewPrivateFile(listFile))
            {
                await file.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', list) + "\n"), cancellationToken).ConfigureAwait(false);
            }

            await RunScriptAsync(listFile, plan.ReplaceData, request, passFile, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        return selected;
    }

    private async Task RunScriptAsync(string listFile, IReadOnlyList<TableRowCount> replace, RestoreRequest request, PgPassFile passFile, CancellationToken cancellationToken)
    {
        await using var sql = ChildProcess.Start(new ChildProcessOptions(
            psql.Path,
            ["--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--single-transaction", "--dbname=" + request.TargetDatabase, "--file=-"])
        {
            Environment = passFile.ChildEnvironment,
            WriteStandardInput = true,
            DiscardStandardOutput = true,
        });
        var script = new ChildProcess[1];
        try
        {
            var preamble = new StringBuilder("SET session_replication_role = replica;\n");
            foreach (var table in replace)
            {
                preamble.Append("DELETE FROM ONLY ").Append(PgDatabaseAdmin.QuoteIdentifier(table.Schema)).Append('.').Append(PgDatabaseAdmin.QuoteIdentifier(table.Table)).Append(";\n");
            }

            await sql.StandardInput.WriteAsync(Encoding.UTF8.GetBytes(preamble.ToString()), cancellationToken).ConfigureAwait(false);

            // pg_restore turns the selected entries into SQL (COPY data included), which goes straight into psql.
            var writer = new PgRestoreRunner(pgRestore, stored, dataKey, null, null, logger, null);
            await writer.WriteScriptAsync(listFile, sql.StandardInput, cancellationToken).ConfigureAwait(false);
            await sql.StandardInput.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // psql stopped reading: it hit an error and rolled back; its exit code and stderr say which.
        }
        catch
        {
            sql.Kill();
            throw;
        }

        var exitCode = await sql.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new PgBackupException(
                "RestoreFailed",
                ErrorKind.InvalidOperation,
                $"Restoring the selected tables into '{request.TargetDatabase}' failed and was rolled back; the database is unchanged. {PgErrorTranslator.Redact(sql.StandardErrorText.Trim(), request.Connection)}")
            { Target = request.TargetDatabase };
        }
    }

    private static async Task<HashSet<TableRowCount>> ExistingTablesAsync(PgConnectionSettings target, IReadOnlyList<TableRowCount> tables, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(target.NpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var existing = new HashSet<TableRowCount>();
            foreach (var table in tables)
            {
                await using var command = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", connection);
                command.Parameters.AddWithValue("name", $"{PgDatabaseAdmin.QuoteIdentifier(table.Schema)}.{PgDatabaseAdmin.QuoteIdentifier(table.Table)}");
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    existing.Add(table);
                }
            }

            return existing;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PgErrorTranslator.Translate(ex, target);
        }
    }
}
