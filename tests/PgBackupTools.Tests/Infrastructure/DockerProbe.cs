using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Processes;

namespace PgBackupTools.Tests.Infrastructure;

/// <summary>Asks the docker CLI whether an engine answers, giving up after five seconds.</summary>
internal static class DockerProbe
{
    public static async Task<bool> EngineAnswersAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var result = await ChildProcess.RunToCompletionAsync(
                new ChildProcessOptions("docker", ["info", "--format", "{{.ServerVersion}}"]), timeout.Token);
            return result.ExitCode == 0 && result.StandardOutput.Trim().Length > 0;
        }
        catch (Exception ex) when (ex is PgBackupException or OperationCanceledException)
        {
            return false;
        }
    }
}
