using System.Diagnostics;
using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Processes;
using Xunit;

namespace PgBackupTools.Tests.Processes;

public class ChildProcessTests
{
    [Fact]
    public async Task StreamsLargeStdoutWithFlatMemory()
    {
        const long size = 50_000_000;
        await using var child = ChildProcess.Start(new ChildProcessOptions("head", ["-c", size.ToString(), "/dev/zero"]));
        var buffer = new byte[81920];
        long total = 0;
        // Synchronous reads on this thread, counted for this thread only: tests running in parallel allocate
        // hundreds of megabytes process-wide, which made a process-wide count fail now and then.
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int read;
        while ((read = child.StandardOutput.Read(buffer)) > 0)
            total += read;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(0, await child.WaitForExitAsync());
        Assert.Equal(size, total);
        // Buffering the output would cost at least its size; streaming it costs next to nothing.
        Assert.True(allocated < 1_000_000, $"Allocated {allocated} bytes while streaming {size} bytes.");
    }

    [Fact]
    public async Task CapturesStderrAndExitCode()
    {
        var result = await ChildProcess.RunToCompletionAsync(
            new ChildProcessOptions("sh", ["-c", "echo out; echo err >&2; exit 3"]));

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
    }

    [Fact]
    public async Task KeepsOnlyTheLast64KiBOfStderrWithoutBlockingTheChild()
    {
        // 1 MiB of stderr would fill the pipe and hang the child if nobody read it.
        var result = await ChildProcess.RunToCompletionAsync(new ChildProcessOptions(
            "sh", ["-c", "head -c 1048576 /dev/zero | tr '\\0' a >&2; echo END >&2"]));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ChildProcess.StandardErrorCapacity, result.StandardError.Length);
        Assert.EndsWith("aEND\n", result.StandardError);
    }

    [Fact]
    public async Task PassesArgumentsVerbatim()
    {
        string[] arguments = ["a b", "c\"d", "e'f", "", "$HOME", "ü"];
        var result = await ChildProcess.RunToCompletionAsync(
            new ChildProcessOptions("printf", ["%s\\n", .. arguments]));

        Assert.Equal(string.Concat(arguments.Select(a => a + "\n")), result.StandardOutput);
    }

    [Fact]
    public async Task SetsAndRemovesEnvironmentVariables()
    {
        Environment.SetEnvironmentVariable("PGBT_TEST_INHERITED", "inherited");
        var result = await ChildProcess.RunToCompletionAsync(new ChildProcessOptions("sh", ["-c", "echo \"[$PGBT_TEST_SET][${PGBT_TEST_INHERITED-unset}]\""])
        {
            Environment = new Dictionary<string, string?> { ["PGBT_TEST_SET"] = "x y", ["PGBT_TEST_INHERITED"] = null },
        });

        Assert.Equal("[x y][unset]\n", result.StandardOutput);
    }

    [Fact]
    public async Task WritesStandardInput()
    {
        await using var child = ChildProcess.Start(new ChildProcessOptions("wc", ["-c"]) { WriteStandardInput = true });
        var reader = new StreamReader(child.StandardOutput);
        var output = reader.ReadToEndAsync();
        await child.StandardInput.WriteAsync(new byte[100_000]);
        await child.StandardInput.DisposeAsync();

        Assert.Equal(0, await child.WaitForExitAsync());
        Assert.Equal("100000", (await output).Trim());
    }

    [Fact]
    public async Task StandardInputIsEmptyUnlessRequested()
    {
        var result = await ChildProcess.RunToCompletionAsync(new ChildProcessOptions("wc", ["-c"]));

        Assert.Equal("0", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task CancellationKillsTheWholeProcessTree()
    {
        await using var child = ChildProcess.Start(new ChildProcessOptions("sh", ["-c", "sleep 60 & echo $!; wait"]));
        var grandchildPid = int.Parse((await new StreamReader(child.StandardOutput).ReadLineAsync())!);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => child.WaitForExitAsync(cancel.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20));
        Assert.True(child.HasExited);
        Assert.True(await IsGoneAsync(grandchildPid), $"Grandchild {grandchildPid} still runs.");
    }

    [Fact]
    public async Task DisposeKillsARunningChild()
    {
        var child = ChildProcess.Start(new ChildProcessOptions("sleep", ["60"]));
        var pid = child.ProcessId;

        child.Dispose();

        Assert.True(await IsGoneAsync(pid));
    }

    [Fact]
    public void MissingExecutableIsAPgBackupException()
    {
        var error = Assert.Throws<PgBackupException>(() =>
            ChildProcess.Start(new ChildProcessOptions("/nonexistent/pg_dump", ["--secret-arg"])));

        Assert.Equal("ProcessStartFailed", error.ErrorId);
        Assert.DoesNotContain("--secret-arg", error.Message);
    }

    [Fact]
    public async Task DiscardedStdoutDoesNotBlockTheChild()
    {
        await using var child = ChildProcess.Start(
            new ChildProcessOptions("head", ["-c", "10000000", "/dev/zero"]) { DiscardStandardOutput = true });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await child.WaitForExitAsync(timeout.Token));
    }

    // A killed process may linger as a zombie until someone reaps it; that counts as gone.
    private static async Task<bool> IsGoneAsync(int pid)
    {
        for (var i = 0; i < 50; i++)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
                return true;
            try
            {
                var text = await File.ReadAllTextAsync(stat);
                var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
                if (state is "Z" or "X")
                    return true;
            }
            catch (IOException)
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }
}
