using System.ComponentModel;
using System.Diagnostics;
using PgBackupTools.Engine.Errors;

namespace PgBackupTools.Engine.Processes;

/// <summary>
/// A running child process: stdout is a stream to read, stdin optionally a stream to write, stderr is captured in
/// the background (last 64 KiB) so the child never blocks on it. Cancelling a wait, or disposing while it runs,
/// kills the whole process tree. Arguments never appear in exceptions, in case a caller passes something sensitive.
/// </summary>
public sealed class ChildProcess : IDisposable, IAsyncDisposable
{
    public const int StandardErrorCapacity = 64 * 1024;

    private static readonly TimeSpan KillWaitLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly TailBuffer _stderr = new(StandardErrorCapacity);
    private readonly Task _stderrPump;
    private readonly Task _stdoutDiscard;
    private readonly Stream? _stdin;
    private int _disposed;

    private ChildProcess(Process process, ChildProcessOptions options)
    {
        _process = process;
        FileName = options.FileName;
        ProcessId = process.Id;
        StartedAt = DateTimeOffset.UtcNow;

        _stderrPump = Task.Run(() => PumpAsync(process.StandardError.BaseStream, _stderr));
        _stdoutDiscard = options.DiscardStandardOutput
            ? Task.Run(() => process.StandardOutput.BaseStream.CopyToAsync(Stream.Null))
            : Task.CompletedTask;

        if (options.WriteStandardInput)
        {
            _stdin = process.StandardInput.BaseStream;
            PipeBuffer.TryEnlarge(_stdin);
        }
        else
        {
            process.StandardInput.Close();
        }

        if (!options.DiscardStandardOutput)
            PipeBuffer.TryEnlarge(process.StandardOutput.BaseStream);
    }

    public string FileName { get; }

    public int ProcessId { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The child's stdout. Read it to the end (or set DiscardStandardOutput) or the child blocks once the pipe is full.</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>The child's stdin; dispose it to signal end of input.</summary>
    public Stream StandardInput =>
        _stdin ?? throw new InvalidOperationException("The child was started without WriteStandardInput.");

    /// <summary>The last 64 KiB of stderr so far; complete once <see cref="WaitForExitAsync"/> has returned.</summary>
    public string StandardErrorText => _stderr.ToString();

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(ChildProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var startInfo = new ProcessStartInfo(options.FileName)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in options.Arguments)
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
                startInfo.Environment.Remove(name);
            else
                startInfo.Environment[name] = value;
        }
        if (options.WorkingDirectory is not null)
            startInfo.WorkingDirectory = options.WorkingDirectory;

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or FileNotFoundException or DirectoryNotFoundException)
        {
            process.Dispose();
            throw new PgBackupException(
                "ProcessStartFailed",
                ErrorKind.NotInstalled,
                $"Could not start '{options.FileName}': {ex.Message}. Check that it is installed and executable.",
                ex) { Target = options.FileName };
        }
        return new ChildProcess(process, options);
    }

    /// <summary>Runs a command whose output is small, collecting stdout and stderr as text.</summary>
    public static async Task<ChildProcessResult> RunToCompletionAsync(
        ChildProcessOptions options, CancellationToken cancellationToken = default)
    {
        await using var child = Start(options with { DiscardStandardOutput = false });
        using var reader = new StreamReader(child.StandardOutput);
        var stdout = reader.ReadToEndAsync(cancellationToken);
        int exitCode;
        try
        {
            exitCode = await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The child is dead; observe the reader so its failure is not reported as unobserved.
            _ = stdout.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw;
        }
        return new ChildProcessResult(exitCode, await stdout.ConfigureAwait(false), child.StandardErrorText);
    }

    /// <summary>Waits for exit and for stderr to be fully captured. On cancellation the process tree is killed first.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTreeAndWait();
            throw;
        }
        await _stderrPump.ConfigureAwait(false);
        await _stdoutDiscard.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Kills the whole process tree (if still running) and waits for the child to be gone.</summary>
    public void Kill() => KillTreeAndWait();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        KillTreeAndWait();
        _stdin?.Dispose();
        _process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void KillTreeAndWait()
    {
        try
        {
            if (_process.HasExited)
                return;
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(KillWaitLimit);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (Win32Exception)
        {
            // Also a race with exit on some platforms; nothing left to kill.
        }
    }

    private static async Task PumpAsync(Stream source, TailBuffer target)
    {
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                target.Write(buffer.AsSpan(0, read));
        }
        catch (IOException)
        {
            // The pipe broke because the child was killed; what was captured is all there is.
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
