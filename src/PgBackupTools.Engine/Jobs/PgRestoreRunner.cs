using System.Security.Cryptography;
using PgBackupTools.Engine.Crypto;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Postgres;
using PgBackupTools.Engine.Processes;
using PgBackupTools.Engine.Repository;
using Serilog;

namespace PgBackupTools.Engine.Jobs;

/// <summary>
/// Runs pg_restore into a database, each process fed from its own authenticating, decrypting stream of the
/// stored dump, so no plaintext dump is ever written to disk. With one job: a single pg_restore. With more:
/// the phases of <see cref="ParallelRestorePlan"/>.
/// </summary>
internal sealed class PgRestoreRunner(
    PgTool pgRestore, StoredBackup stored, DataKey? dataKey, PgPassFile? passFile, PgConnectionSettings? connection, ILogger logger, ProgressMeter? progress)
{
    private const int BufferSize = 1 << 20;
    private readonly ManifestFile _dump = stored.RequireFile("dump");

    public Task RestoreAsync(string database, int jobs, BackupCatalog catalog, CancellationToken cancellationToken) =>
        RestoreAsync(database, jobs, PlanAsync(jobs, catalog, cancellationToken), cancellationToken);

    /// <summary>
    /// How <paramref name="jobs"/> pg_restore processes share the work, from the archive's table of contents; null for
    /// one job. It needs no database, so a caller can run it while the target database is being created.
    /// </summary>
    public async Task<ParallelRestorePlan?> PlanAsync(int jobs, BackupCatalog catalog, CancellationToken cancellationToken)
    {
        if (jobs <= 1)
        {
            return null;
        }

        var dataListing = ListAsync("--section=data", cancellationToken);
        var postDataListing = ListAsync("--section=post-data", cancellationToken);
        // Both table-of-contents reads run at once; WhenAll waits for both even when one fails.
        await Task.WhenAll(dataListing, postDataListing).ConfigureAwait(false);

        var plan = ParallelRestorePlan.Create(await dataListing.ConfigureAwait(false), await postDataListing.ConfigureAwait(false), catalog, jobs);
        logger.Information(
            "Parallel restore with {Jobs} jobs: {DataWorkers} data streams, indexes of {IndexTables} tables, {Rest} remaining post-data entries",
            jobs, plan.DataWorkers.Count, plan.IndexGroups.Count, plan.RemainingPostData.Count);
        return plan;
    }

    /// <summary>
    /// Restores into <paramref name="database"/>: one pg_restore for one job, else the phases of the plan that
    /// <paramref name="planning"/> (from <see cref="PlanAsync"/>) makes. The pre-data section needs no plan, so it runs
    /// while the plan is still being made.
    /// </summary>
    public async Task RestoreAsync(string database, int jobs, Task<ParallelRestorePlan?> planning, CancellationToken cancellationToken)
    {
        var target = "--dbname=" + database;
        if (jobs <= 1)
        {
            await RunAsync([target], "restore", verifyWholeFile: true, cancellationToken).ConfigureAwait(false);
            return;
        }

        var listDirectory = Path.Combine(Path.GetTempPath(), "pgbt-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant());
        SecureFileSystem.CreatePrivateDirectory(listDirectory);
        try
        {
            try
            {
                await RunAsync([target, "--section=pre-data"], "pre-data", verifyWholeFile: false, cancellationToken, blocks: new HashSet<int>()).ConfigureAwait(false);
            }
            catch
            {
                await SideTask.ObserveQuietlyAsync(planning).ConfigureAwait(false);
                throw;
            }

            var plan = await planning.ConfigureAwait(false)
                ?? throw new InvalidOperationException($"A restore with {jobs} jobs needs a plan.");
            var scheduler = new ParallelRestoreScheduler((name, lines, verifyWholeFile, token) => RunListAsync(target, listDirectory, name, lines, verifyWholeFile, token));
            await scheduler.RunAsync(plan, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(listDirectory, recursive: true);
        }
    }

    /// <summary>One pg_restore -L of <paramref name="lines"/>, fed only their data blocks.</summary>
    private async Task RunListAsync(string target, string listDirectory, string name, IReadOnlyList<string> lines, bool verifyWholeFile, CancellationToken cancellationToken)
    {
        var listFile = Path.Combine(listDirectory, name.Replace(" #", "-", StringComparison.Ordinal) + ".list");
        await using (var file = SecureFileSystem.CreateNewPrivateFile(listFile))
        await using (var writer = new StreamWriter(file))
        {
            foreach (var line in lines)
            {
                await writer.WriteLineAsync(line).ConfigureAwait(false);
            }
        }

        var blocks = lines.Select(ParallelRestorePlan.DumpId).ToHashSet();
        await RunAsync([target, "--use-list=" + listFile], name, verifyWholeFile, cancellationToken, blocks).ConfigureAwait(false);
    }

    private async Task RunAsync(IReadOnlyList<string> arguments, string phase, bool verifyWholeFile, CancellationToken cancellationToken, IReadOnlySet<int>? blocks = null)
    {
        List<string> all = [.. arguments, "--exit-on-error", "--no-password"];
        logger.Debug("pg_restore ({Phase}) started", phase);
        await using var child = ChildProcess.Start(new ChildProcessOptions(pgRestore.Path, all) { Environment = passFile?.ChildEnvironment ?? new Dictionary<string, string?>(), WriteStandardInput = true });
        await CompleteAsync(child, () => FeedAsync(child, verifyWholeFile, cancellationToken, blocks), phase, cancellationToken).ConfigureAwait(false);
        logger.Debug("pg_restore ({Phase}) finished", phase);
    }

    /// <summary>pg_restore --list (of one section, or all): it reads only the archive's table of contents.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string? section, CancellationToken cancellationToken)
    {
        List<string> arguments = section is null ? ["--list"] : ["--list", section];
        await using var child = ChildProcess.Start(new ChildProcessOptions(pgRestore.Path, arguments) { WriteStandardInput = true });
        using var output = new StreamReader(child.StandardOutput);
        var text = output.ReadToEndAsync(cancellationToken);
        await CompleteAsync(child, () => FeedAsync(child, verifyWholeFile: false, cancellationToken), "--list", cancellationToken).ConfigureAwait(false);
        return (await text.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// pg_restore of the entries in <paramref name="listFile"/> as an SQL script, written to <paramref name="output"/>
    /// (a psql process's stdin) while the archive streams in.
    /// </summary>
    public async Task WriteScriptAsync(string listFile, Stream output, CancellationToken cancellationToken)
    {
        await using var child = ChildProcess.Start(new ChildProcessOptions(pgRestore.Path, ["--file=-", "--use-list=" + listFile, "--exit-on-error"]) { WriteStandardInput = true });
        var pump = child.StandardOutput.CopyToAsync(output, BufferSize, cancellationToken);
        await CompleteAsync(
            child,
            async () =>
            {
                await FeedAsync(child, verifyWholeFile: false, cancellationToken).ConfigureAwait(false);
                await pump.ConfigureAwait(false);
            },
            "script of the selected entries",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the feeding of a pg_restore to its end; kills it if that fails; turns a non-zero exit into RestoreFailed.</summary>
    private async Task CompleteAsync(ChildProcess child, Func<Task> feed, string what, CancellationToken cancellationToken)
    {
        try
        {
            await feed().ConfigureAwait(false);
        }
        catch
        {
            child.Kill();
            throw;
        }

        var exitCode = await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            var stderr = child.StandardErrorText.Trim();
            throw new PgBackupException(
                "RestoreFailed",
                ErrorKind.InvalidOperation,
                $"pg_restore ({what}) failed with exit code {exitCode} on backup '{stored.Manifest.Id}': {(connection is null ? stderr : PgErrorTranslator.Redact(stderr, connection))}")
            { Target = stored.Manifest.Id };
        }
    }

    /// <summary>
    /// Streams the authenticated plaintext into the child's stdin. With <paramref name="blocks"/> (a pg_restore -L),
    /// only those entries' data blocks go through (<see cref="CustomArchiveBlockFilter"/>), and its input ends after the
    /// last of them. pg_restore may stop reading once it has what its list asks for; then feeding stops too, unless
    /// <paramref name="verifyWholeFile"/> asks to read (and so authenticate and hash) every remaining byte anyway.
    /// </summary>
    private async Task FeedAsync(ChildProcess child, bool verifyWholeFile, CancellationToken cancellationToken, IReadOnlySet<int>? blocks = null)
    {
        await using var reader = StoredFileReader.Open(stored.Directory, _dump, dataKey, stored.Manifest.Id);
        await using var readAhead = new ReadAheadStream(reader, BufferSize, 4, cancellationToken);
        var stdin = child.StandardInput;
        var filter = blocks is null ? null : new CustomArchiveBlockFilter(blocks);
        var pieces = new List<ReadOnlyMemory<byte>>();
        var buffer = new byte[BufferSize];
        var accepting = true;
        long fed = 0;
        try
        {
            int read;
            while ((read = await readAhead.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                fed += read;
                if (verifyWholeFile)
                {
                    progress?.ReportOf(fed, _dump.PlainBytes);
                }

                if (!accepting)
                {
                    continue;
                }

                pieces.Clear();
                if (filter is null)
                {
                    pieces.Add(buffer.AsMemory(0, read));
                }
                else
                {
                    filter.Process(buffer.AsMemory(0, read), pieces);
                }

                try
                {
                    foreach (var piece in pieces)
                    {
                        await stdin.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                    }

                    if (filter is { IsComplete: true })
                    {
                        // Everything this pg_restore asked for has gone through: end its input now.
                        accepting = false;
                        await stdin.DisposeAsync().ConfigureAwait(false);
                    }
                }
                catch (IOException)
                {
                    // pg_restore closed its input: it has all it needs, or it failed (its exit code says which).
                    accepting = false;
                }

                if (!accepting && !verifyWholeFile)
                {
                    break;
                }
            }
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
        }
    }
}
