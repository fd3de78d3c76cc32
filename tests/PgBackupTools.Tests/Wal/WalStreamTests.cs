using PgBackupTools.Engine.Errors;
using PgBackupTools.Engine.Pipeline;
using PgBackupTools.Engine.Wal;
using PgBackupTools.Tests.Crypto;
using PgBackupTools.Tests.Repository;
using Xunit;

namespace PgBackupTools.Tests.Wal;

/// <summary>pgbt-wal stream's command line.</summary>
public sealed class WalStreamOptionsTests
{
    [Fact]
    public void Stream_takes_a_spool_a_slot_and_no_positional_arguments()
    {
        var options = WalToolOptions.Parse(["stream", "--repository", "r", "--spool", "s", "--slot", "prod_1", "--pg-receivewal", "/usr/bin/pg_receivewal", "--synchronous", "--system-id", "42", "--compression", "gzip", "--level", "5"]);
        Assert.Equal(("stream", "r", "s", "prod_1", "/usr/bin/pg_receivewal", true, 42ul), (options.Verb, options.Repository, options.Spool, options.Slot, options.PgReceiveWal, options.Synchronous, options.SystemIdentifier!.Value));
        Assert.Equal((CompressionAlgorithm.Gzip, 5), (options.Compression.Algorithm, options.Compression.Level));
        Assert.Equal(WalToolOptions.DefaultSlot, WalToolOptions.Parse(["stream", "--repository", "r", "--spool", "s"]).Slot);
    }

    [Fact]
    public void The_partial_copy_interval_defaults_to_five_seconds_and_zero_turns_it_off()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), WalToolOptions.Parse(["stream", "--repository", "r", "--spool", "s"]).PartialInterval);
        Assert.Equal(TimeSpan.Zero, WalToolOptions.Parse(["stream", "--repository", "r", "--spool", "s", "--partial-interval", "0"]).PartialInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), WalToolOptions.Parse(["stream", "--repository", "r", "--spool", "s", "--partial-interval", "30"]).PartialInterval);
        Assert.Equal("WalToolUsage", Assert.Throws<PgBackupException>(() => WalToolOptions.Parse(["stream", "--repository", "r", "--spool", "s", "--partial-interval", "soon"])).ErrorId);
    }

    [Theory]
    [InlineData("stream", "--repository", "r")]
    [InlineData("stream", "--repository", "r", "--spool", "s", "extra")]
    [InlineData("stream", "--repository", "r", "--spool", "s", "--slot", "Bad-Name")]
    [InlineData("stream", "--spool", "s")]
    [InlineData("archive-push", "--repository", "r", "--slot", "x", "a", "b")]
    public void Bad_stream_command_lines_are_refused_with_the_usage(params string[] args)
    {
        var error = Assert.Throws<PgBackupException>(() => WalToolOptions.Parse(args));
        Assert.Equal("WalToolUsage", error.ErrorId);
        Assert.Contains("pgbt-wal stream", error.Message);
    }

    [Theory]
    [InlineData("pgbackuptools", true)]
    [InlineData("a_1", true)]
    [InlineData("", false)]
    [InlineData("Upper", false)]
    [InlineData("with-dash", false)]
    public void Slot_names_follow_postgres(string name, bool valid) => Assert.Equal(valid, WalToolOptions.IsValidSlotName(name));
}

/// <summary>The spool step: completed files go into the repository in name order; .partial and the resume point stay.</summary>
public sealed class WalStreamSpoolTests : IDisposable
{
    private readonly TestRepository _repository = new();
    private readonly TempDirectory _spool = new();

    [Theory]
    [InlineData("000000010000000000000003", true)]
    [InlineData("00000002.history", true)]
    [InlineData("000000010000000000000003.partial", false)]
    [InlineData("00000002.history.tmp", false)]
    [InlineData("000000010000000000000003.tmp", false)]
    [InlineData("status.json", false)]
    [InlineData("00000001000000000000000a", false)]
    public void Only_finished_wal_names_are_completed(string name, bool completed) => Assert.Equal(completed, WalSpool.IsCompleted(name));

    [Fact]
    public async Task Drain_pushes_completed_segments_in_order_and_leaves_the_partial_and_the_newest()
    {
        foreach (var segment in new ulong[] { 5, 3, 4 })
        {
            SyntheticWal.WriteSegment(_spool.Path, 1, segment);
        }

        File.WriteAllBytes(_spool.File(SyntheticWal.Name(1, 6) + ".partial"), SyntheticWal.Segment(1, 6));
        File.WriteAllText(_spool.File("status.json"), "{}");
        using var session = _repository.OpenUnlocked();
        using var spool = new WalSpool(_spool.Path, session, null, CompressionSettings.Default, TimeProvider.System) { PartialInterval = TimeSpan.Zero };

        var pushed = await spool.DrainAsync(default);

        Assert.Equal([SyntheticWal.Name(1, 3), SyntheticWal.Name(1, 4), SyntheticWal.Name(1, 5)], pushed);
        Assert.Equal(SyntheticWal.SystemId, spool.SystemIdentifier);
        Assert.Equal(
            new[] { SyntheticWal.Name(1, 5), SyntheticWal.Name(1, 6) + ".partial", "status.json" },
            Directory.EnumerateFiles(_spool.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var archive = WalArchive.Open(session, SyntheticWal.SystemId);
        foreach (var segment in new ulong[] { 3, 4, 5 })
        {
            Assert.Single(archive.FindAll(WalFileName.Parse(SyntheticWal.Name(1, segment), SyntheticWal.SegmentSize)));
        }

        // Nothing new: nothing pushed again. A newer segment replaces the resume point.
        Assert.Empty(await spool.DrainAsync(default));
        File.Move(_spool.File(SyntheticWal.Name(1, 6) + ".partial"), _spool.File(SyntheticWal.Name(1, 6)));
        Assert.Equal([SyntheticWal.Name(1, 6)], await spool.DrainAsync(default));
        Assert.False(File.Exists(_spool.File(SyntheticWal.Name(1, 5))));
        Assert.True(File.Exists(_spool.File(SyntheticWal.Name(1, 6))));
    }

    [Fact]
    public async Task The_segment_being_filled_is_shipped_as_a_partial_copy_when_it_changed_and_replaced_by_the_complete_one()
    {
        SyntheticWal.WriteSegment(_spool.Path, 1, 5);
        var partialPath = _spool.File(SyntheticWal.Name(1, 6) + ".partial");
        var content = SyntheticWal.Segment(1, 6);
        Array.Clear(content, content.Length / 2, content.Length / 2); // pg_receivewal pads what is not received yet
        File.WriteAllBytes(partialPath, content);
        using var session = _repository.OpenUnlocked();
        using var spool = new WalSpool(_spool.Path, session, null, CompressionSettings.Default, TimeProvider.System) { PartialInterval = TimeSpan.FromTicks(1) };

        Assert.Equal([SyntheticWal.Name(1, 5), SyntheticWal.Name(1, 6) + ".partial"], await spool.DrainAsync(default));
        Assert.Empty(await spool.DrainAsync(default)); // unchanged: not shipped again
        using var archive = WalArchive.Open(session, SyntheticWal.SystemId);
        var partialName = WalFileName.Parse(SyntheticWal.Name(1, 6) + ".partial", SyntheticWal.SegmentSize);
        var first = Assert.Single(archive.FindAll(partialName));

        content[content.Length / 2] = 0x42; // more WAL received
        File.WriteAllBytes(partialPath, content);
        File.SetLastWriteTimeUtc(partialPath, DateTime.UtcNow.AddSeconds(1));
        Assert.Equal([SyntheticWal.Name(1, 6) + ".partial"], await spool.DrainAsync(default));
        var second = Assert.Single(archive.FindAll(partialName));
        Assert.NotEqual(first.Tag, second.Tag);

        // Recovery asking for segment 6 gets the newest partial copy: it ends the archive.
        var fetched = _spool.File("fetched");
        Assert.Equal(WalFetchResult.Restored, await WalFetch.FetchAsync(archive, SyntheticWal.Name(1, 6), fetched, default));
        Assert.Equal(content, File.ReadAllBytes(fetched));

        File.Move(partialPath, _spool.File(SyntheticWal.Name(1, 6)));
        Assert.Equal([SyntheticWal.Name(1, 6)], await spool.DrainAsync(default));
        Assert.Empty(archive.FindAll(partialName));
        Assert.Single(archive.FindAll(WalFileName.Parse(SyntheticWal.Name(1, 6), SyntheticWal.SegmentSize)));
    }

    [Fact]
    public async Task A_history_file_waits_until_a_segment_names_the_cluster()
    {
        File.WriteAllText(_spool.File("00000002.history"), "1\t0/3000000\tno recovery target specified\n");
        using var session = _repository.OpenUnlocked();
        using var spool = new WalSpool(_spool.Path, session, null, CompressionSettings.Default, TimeProvider.System);

        Assert.Empty(await spool.DrainAsync(default));
        Assert.True(File.Exists(_spool.File("00000002.history")));

        SyntheticWal.WriteSegment(_spool.Path, 1, 3);
        Assert.Equal([SyntheticWal.Name(1, 3), "00000002.history"], await spool.DrainAsync(default));
        Assert.False(File.Exists(_spool.File("00000002.history")));
    }

    [Fact]
    public async Task A_segment_of_another_cluster_stops_the_drain_and_stays_in_the_spool()
    {
        var foreign = _spool.File(SyntheticWal.Name(1, 3));
        File.WriteAllBytes(foreign, SyntheticWal.Segment(1, 3, systemId: 42));
        SyntheticWal.WriteSegment(_spool.Path, 1, 4);
        using var session = _repository.OpenUnlocked();
        using var spool = new WalSpool(_spool.Path, session, SyntheticWal.SystemId, CompressionSettings.Default, TimeProvider.System);

        await Assert.ThrowsAsync<PgBackupException>(() => spool.DrainAsync(default));
        Assert.True(File.Exists(foreign));
        Assert.True(File.Exists(_spool.File(SyntheticWal.Name(1, 4))), "a later segment must not be stored before an earlier one");
    }

    public void Dispose()
    {
        _repository.Dispose();
        _spool.Dispose();
    }
}

/// <summary>The streamer loop against a stand-in pg_receivewal (a shell script), so no server is needed.</summary>
public sealed class WalStreamerTests : IDisposable
{
    private const string FakeReceiver = """
        #!/bin/sh
        echo "$*" >> "$FAKE_LOG"
        case " $* " in *" --create-slot "*) exit 0;; esac
        dir=""
        while [ $# -gt 0 ]; do [ "$1" = "--directory" ] && dir="$2"; shift; done
        for f in "$FAKE_STAGE"/*; do [ -e "$f" ] && mv "$f" "$dir/"; done
        trap 'echo stopped >> "$FAKE_LOG"; exit 0' INT
        while :; do sleep 0.05; done
        """;

    private readonly TestRepository _repository = new();
    private readonly TempDirectory _work = new();

    [Fact]
    public async Task Streams_until_cancelled_then_stops_the_receiver_and_keeps_the_partial()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (settings, log) = Setup();
        SyntheticWal.WriteSegment(Path.Combine(_work.Path, "stage"), 1, 3);
        SyntheticWal.WriteSegment(Path.Combine(_work.Path, "stage"), 1, 4);
        File.WriteAllBytes(Path.Combine(_work.Path, "stage", SyntheticWal.Name(1, 5) + ".partial"), new byte[100]);
        using var session = _repository.OpenUnlocked();
        using var output = new StringWriter();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var run = new WalStreamer(settings, session, TextWriter.Synchronized(output), TimeProvider.System).RunAsync(cancel.Token);
        await WaitUntil(() => WalStreamStatus.TryRead(settings.Spool) is { LastSegment: var last, State: WalStreamStatus.Running } && last == SyntheticWal.Name(1, 4));
        var running = WalStreamStatus.TryRead(settings.Spool)!;
        Assert.Equal(Environment.ProcessId, running.ProcessId);
        Assert.NotNull(running.ReceiverProcessId);
        Assert.Equal(2, running.PushedCount);

        cancel.Cancel();
        await run;

        var final = WalStreamStatus.TryRead(settings.Spool)!;
        Assert.Equal((WalStreamStatus.Stopped, (int?)null), (final.State, final.ReceiverProcessId));
        Assert.True(File.Exists(Path.Combine(settings.Spool, SyntheticWal.Name(1, 5) + ".partial")));
        Assert.False(File.Exists(Path.Combine(settings.Spool, SyntheticWal.Name(1, 3))));
        var calls = File.ReadAllLines(log);
        Assert.Contains(calls, c => c.Contains("--create-slot --if-not-exists --slot s1", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("--directory " + settings.Spool + " --slot s1 --no-password", StringComparison.Ordinal));
        Assert.Equal("stopped", calls[^1]);
    }

    [Fact]
    public async Task A_stop_file_ends_the_stream_and_a_second_streamer_on_the_spool_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (settings, _) = Setup();
        using var session = _repository.OpenUnlocked();
        var run = new WalStreamer(settings, session, TextWriter.Null, TimeProvider.System).RunAsync(default);
        await WaitUntil(() => WalStreamStatus.TryRead(settings.Spool)?.State == WalStreamStatus.Running);

        var second = await Assert.ThrowsAsync<PgBackupException>(() => new WalStreamer(settings, session, TextWriter.Null, TimeProvider.System).RunAsync(default));
        Assert.Equal("WalStreamRunning", second.ErrorId);

        File.WriteAllBytes(Path.Combine(settings.Spool, WalStreamer.StopFileName), []);
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WalStreamStatus.Stopped, WalStreamStatus.TryRead(settings.Spool)?.State);
    }

    public void Dispose()
    {
        _repository.Dispose();
        _work.Dispose();
    }

    private (WalStreamSettings Settings, string Log) Setup()
    {
        var script = _work.File("pg_receivewal");
        File.WriteAllText(script, FakeReceiver.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Directory.CreateDirectory(_work.File("stage"));
        var log = _work.File("calls.log");
        var settings = new WalStreamSettings
        {
            Spool = _work.File("spool"),
            Slot = "s1",
            PgReceiveWal = script,
            PollInterval = TimeSpan.FromMilliseconds(50),
            RetryDelay = TimeSpan.FromMilliseconds(200),
            ReceiverEnvironment = new Dictionary<string, string?> { ["FAKE_LOG"] = log, ["FAKE_STAGE"] = _work.File("stage") },
        };
        return (settings, log);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
