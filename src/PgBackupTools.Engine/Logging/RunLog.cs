using PgBackupTools.Engine.Jobs;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace PgBackupTools.Engine.Logging;

/// <summary>
/// One Serilog logger per run: every event carries RunId and Operation, goes to the PowerShell verbose
/// stream, and optionally to a file (PGBACKUPTOOLS_LOG or -LogPath) for schedulers.
/// </summary>
internal sealed class RunLog : IDisposable
{
    public const string LogPathVariable = "PGBACKUPTOOLS_LOG";

    private readonly Logger _logger;

    private RunLog(Logger logger, string runId)
    {
        _logger = logger;
        RunId = runId;
    }

    public string RunId { get; }

    public ILogger Logger => _logger;

    public static RunLog Create(JobContext context, string operation)
    {
        var runId = Guid.NewGuid().ToString("N")[..12];
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .Enrich.WithProperty("RunId", runId)
            .Enrich.WithProperty("Operation", operation)
            .Enrich.WithProperty("MachineName", Environment.MachineName)
            .WriteTo.Sink(new ReporterSink(context.Reporter));
        var path = context.LogPath ?? Environment.GetEnvironmentVariable(LogPathVariable);
        if (!string.IsNullOrWhiteSpace(path))
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".clef", StringComparison.OrdinalIgnoreCase))
            {
                configuration.WriteTo.File(new CompactJsonFormatter(), path, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 31, shared: true);
            }
            else
            {
                configuration.WriteTo.File(
                    path,
                    rollingInterval: RollingInterval.Day,
                    retainedFileCountLimit: 31,
                    shared: true,
                    outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {RunId} {Operation}: {Message:lj}{NewLine}{Exception}");
            }
        }

        return new RunLog(configuration.CreateLogger(), runId);
    }

    public void Dispose() => _logger.Dispose();

    private sealed class ReporterSink(IJobReporter reporter) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            var text = logEvent.RenderMessage();
            if (logEvent.Level >= LogEventLevel.Warning)
            {
                reporter.Warning(text);
            }
            else
            {
                reporter.Verbose(text);
            }
        }
    }
}
