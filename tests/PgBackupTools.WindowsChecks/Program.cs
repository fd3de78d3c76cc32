using System.Text.Json;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Processes;
using PgBackupTools.WindowsChecks;

// Child mode: what a detached process sees, written to stdout and stderr (the log), then wait for the stop file.
if (args is ["child", var stopFile, .. var rest])
{
    Console.Out.WriteLine("ARGS " + JsonSerializer.Serialize(rest));
    Console.Out.WriteLine("ENV " + JsonSerializer.Serialize(new[] { Environment.GetEnvironmentVariable("PGBT_CHECK"), Environment.GetEnvironmentVariable("PGBT_REMOVED") }));
    Console.Out.Flush();
    Console.Error.WriteLine("STDERR reached the log");
    while (!File.Exists(stopFile))
    {
        Thread.Sleep(100);
    }

    return 0;
}

if (args is ["in-job", var killOnClose, var breakawayOk, var jobLog, var jobStop, var resultFile] && OperatingSystem.IsWindows())
{
    var job = Job.Create(bool.Parse(killOnClose), bool.Parse(breakawayOk));
    job.AssignCurrentProcess();
    InJobResult outcome;
    try
    {
        var started = await DetachedProcess.StartAsync(Environment.ProcessPath!, ["child", jobStop], new Dictionary<string, string?>(), jobLog, CancellationToken.None);
        await WaitForLog(jobLog, "STDERR");
        outcome = new InJobResult(started.ProcessId, started.EndsWithJob, null);
    }
    catch (PgBackupException ex)
    {
        outcome = new InJobResult(0, false, ex.ErrorId + ": " + ex.Message);
    }

    File.WriteAllText(resultFile, JsonSerializer.Serialize(outcome));
    GC.KeepAlive(job);
    return 0;
}

if (!OperatingSystem.IsWindows())
{
    Console.Error.WriteLine("These checks are of Windows code: run the win-x64 build on Windows or under Wine.");
    return 2;
}

var pgbtWal = args is ["--pgbt-wal", var toolPath] ? Path.GetFullPath(toolPath) : null;
var work = Path.Combine(Path.GetTempPath(), "pgbt-wincheck-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
var checks = new Checks();
try
{
    var self = Environment.ProcessPath!;
    string[] tricky = ["a b", "c\"d", "e\\", "f\\ g", "h i\\", "j\\\"k", "", "100%", "l\tm"];

    // 1. Arguments, environment, stdout and stderr appended to an existing log; the process is found again by id.
    var log = Path.Combine(work, "first.log");
    File.WriteAllText(log, "line written before\n");
    var stop = Path.Combine(work, "stop-first");
    Environment.SetEnvironmentVariable("PGBT_REMOVED", "inherited");
    var first = await DetachedProcess.StartAsync(
        self, ["child", stop, .. tricky], new Dictionary<string, string?> { ["PGBT_CHECK"] = "x y=z", ["PGBT_REMOVED"] = null }, log, CancellationToken.None);
    checks.That("not marked as ending with a job (no job here)", !first.EndsWithJob);
    var text = await WaitForLog(log, "STDERR");
    checks.That("the log kept what was there before", text.StartsWith("line written before\n", StringComparison.Ordinal), text);
    checks.That("every argument arrived as given", text.Contains("ARGS " + JsonSerializer.Serialize(tricky), StringComparison.Ordinal), text);
    checks.That("the environment was changed as asked", text.Contains("ENV " + JsonSerializer.Serialize(new[] { "x y=z", (string?)null }), StringComparison.Ordinal), text);
    checks.That("stderr went to the log", text.Contains("STDERR reached the log", StringComparison.Ordinal), text);
    var name = Path.GetFileNameWithoutExtension(self);
    checks.That("ProcessSignals finds it by name", ProcessSignals.IsRunning(first.ProcessId, name));
    checks.That("and not under another name", !ProcessSignals.IsRunning(first.ProcessId, "pgbt-wal"));
    var started = ProcessSignals.StartTime(first.ProcessId);
    checks.That("its start time is known", started is not null);
    checks.That("StartedAt matches its start time", started is { } s && ProcessSignals.StartedAt(first.ProcessId, s));
    checks.That("StartedAt refuses another start time", started is { } t && !ProcessSignals.StartedAt(first.ProcessId, t.AddMinutes(-5)));

    // 2. Once it ends (on its stop file, as pgbt-wal stream does on Windows), it is no longer found.
    File.WriteAllText(stop, "");
    checks.That("once it ends it is no longer found", await WaitUntil(() => !ProcessSignals.IsRunning(first.ProcessId, name)));

    // 3. Inside a job that allows breaking away, the process leaves it: closing the job (kill on close) spares it.
    await JobCheck(checks, self, work, name);

    // 4. archive_command and restore_command as PostgreSQL runs them on Windows.
    const string ArchiveCheck = "archive_command and restore_command through cmd.exe";
    if (Wine.Version is { } wineVersion)
    {
        // Seen 2026-12-07 with Wine 8.0: an access violation on a thread-pool thread repeats in Wine's exception
        // dispatch until the stack overflows.
        checks.NotChecked(ArchiveCheck, $"under Wine {wineVersion} a win-x64 pgbt-wal hangs while it reads the segment (an access violation repeats in Wine's exception dispatch until the stack overflows); run these checks on Windows");
    }
    else if (pgbtWal is null)
    {
        checks.NotChecked(ArchiveCheck, "no win-x64 pgbt-wal given (--pgbt-wal <path>)");
    }
    else
    {
        await ArchiveCommandChecks.RunAsync(checks, pgbtWal, work);
    }

    // 5. Kill ends one at once. Last, and on a worker with a time limit: under Wine, asking for a process just
    // terminated can hang.
    var second = await DetachedProcess.StartAsync(self, ["child", Path.Combine(work, "never")], new Dictionary<string, string?>(), Path.Combine(work, "second.log"), CancellationToken.None);
    await WaitForLog(Path.Combine(work, "second.log"), "STDERR");
    var killed = Task.Run(async () => ProcessSignals.Kill(second.ProcessId) && await WaitUntil(() => !ProcessSignals.IsRunning(second.ProcessId, name)));
    if (await Task.WhenAny(killed, Task.Delay(TimeSpan.FromSeconds(40))) == killed)
    {
        checks.That("Kill ends it", killed.Result);
    }
    else
    {
        checks.That("Kill ends it", false, "Kill or the look-up after it did not return within 40 s" + (Wine.Version is { } v ? $" (under Wine {v}, whose process list hangs now and then)" : ""));
        Environment.Exit(checks.Report());
    }
}
finally
{
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
    }
}

return checks.Report();

static async Task JobCheck(Checks checks, string self, string work, string name)
{
    // Kill on close, breaking away allowed: the detached process leaves the job and outlives it.
    var broke = await StartInJob(self, work, "breakaway", killOnClose: true, breakawayOk: true);
    checks.That("in a kill-on-close job that allows leaving: started", broke.ProcessId > 0, broke.Error);
    checks.That("it outlived the job (closed when the starting process ended)", broke.ProcessId > 0 && ProcessSignals.IsRunning(broke.ProcessId, name));
    checks.That("and is not marked as ending with the job", !broke.EndsWithJob);
    File.WriteAllText(Path.Combine(work, "stop-breakaway"), "");
    checks.That("then it ends on its stop file", await WaitUntil(() => !ProcessSignals.IsRunning(broke.ProcessId, name)));

    // Kill on close, leaving forbidden: refused with the stable error id rather than started to die.
    const string RefusedCheck = "in a kill-on-close job that forbids leaving: refused as DetachedStartInJob";
    if (Wine.Version is { } wine)
    {
        checks.NotChecked(RefusedCheck, $"Wine {wine} answers QueryInformationJobObject with zeroed limits, so the kill-on-close flag cannot be seen there");
    }
    else
    {
        var refused = await StartInJob(self, work, "refused", killOnClose: true, breakawayOk: false);
        checks.That(RefusedCheck, refused.Error?.StartsWith("DetachedStartInJob", StringComparison.Ordinal) == true, refused.Error ?? $"started pid {refused.ProcessId}, EndsWithJob {refused.EndsWithJob}");
        if (refused.ProcessId > 0)
        {
            ProcessSignals.Kill(refused.ProcessId);
        }
    }

    // Neither: started inside the job, and said so.
    var stays = await StartInJob(self, work, "stays", killOnClose: false, breakawayOk: false);
    checks.That("in a job that forbids leaving but does not kill: started, marked as ending with the job", stays.ProcessId > 0 && stays.EndsWithJob, stays.Error);
    File.WriteAllText(Path.Combine(work, "stop-stays"), "");
    await WaitUntil(() => !ProcessSignals.IsRunning(stays.ProcessId, name));
}

// A process enters a job for good, so each case runs in a child of ours that enters a new job and starts from there.
static async Task<InJobResult> StartInJob(string self, string work, string label, bool killOnClose, bool breakawayOk)
{
    var result = Path.Combine(work, label + ".json");
    using var child = System.Diagnostics.Process.Start(self, ["in-job", killOnClose.ToString(), breakawayOk.ToString(), Path.Combine(work, label + ".log"), Path.Combine(work, "stop-" + label), result])!;
    if (!await WaitUntil(() => child.HasExited))
    {
        child.Kill();
        return new InJobResult(0, false, "in-job did not exit within 30 s");
    }

    await Task.Delay(500);
    return File.Exists(result) ? JsonSerializer.Deserialize<InJobResult>(File.ReadAllText(result))! : new InJobResult(0, false, $"in-job exited {child.ExitCode} without a result");
}

static async Task<string> WaitForLog(string log, string marker)
{
    var deadline = DateTime.UtcNow.AddSeconds(30);
    while (true)
    {
        var text = File.Exists(log) ? ReadShared(log) : "";
        if (text.Contains(marker, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
        {
            return text;
        }

        await Task.Delay(100);
    }
}

static string ReadShared(string path)
{
    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    return new StreamReader(stream).ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
}

static async Task<bool> WaitUntil(Func<bool> condition)
{
    var deadline = DateTime.UtcNow.AddSeconds(30);
    while (!condition())
    {
        if (DateTime.UtcNow > deadline)
        {
            return false;
        }

        await Task.Delay(100);
    }

    return true;
}
