using Microsoft.Extensions.Time.Testing;
using PgBackupTools.Engine.Notify;
using Xunit;

namespace PgBackupTools.Tests.Notify;

/// <summary>The Notifier with a real state file: de-duplication across calls, recovery title, -Force, mode 0600.</summary>
public sealed class NotifierStateTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pgbt-notify-");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 3, 1, 6, 0, 0, TimeSpan.Zero));
    private readonly RecordingChannel _channel = new();

    private NotificationOptions Options => new() { StatePath = Path.Combine(_dir.FullName, "notify.json.state.json"), RepeatAfter = TimeSpan.FromHours(6) };

    [Fact]
    public async Task Same_alert_is_suppressed_until_the_window_passes_and_recovery_is_sent_once()
    {
        Assert.Equal(NotificationStatus.Sent, await SendAsync(AlertSeverity.Critical));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(NotificationStatus.Suppressed, await SendAsync(AlertSeverity.Critical));
        _clock.Advance(TimeSpan.FromHours(6));
        Assert.Equal(NotificationStatus.Sent, await SendAsync(AlertSeverity.Critical));
        Assert.Equal(NotificationStatus.Sent, await SendAsync(AlertSeverity.OK));
        Assert.Equal(NotificationStatus.Suppressed, await SendAsync(AlertSeverity.OK));

        Assert.Equal(3, _channel.Sent.Count);
        Assert.StartsWith(Notifier.RecoveredPrefix, _channel.Sent[2].Title);
        Assert.Equal(AlertSeverity.OK, _channel.Sent[2].Severity);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Options.StatePath!));
        }
    }

    [Fact]
    public async Task Force_sends_a_suppressed_alert()
    {
        await SendAsync(AlertSeverity.Critical);
        var results = await new Notifier(_clock).SendAsync(Alert(AlertSeverity.Critical), [_channel], Options with { Force = true }, CancellationToken.None);

        Assert.Equal(NotificationStatus.Sent, Assert.Single(results).Status);
        Assert.Equal(2, _channel.Sent.Count);
    }

    [Fact]
    public async Task A_failed_send_leaves_the_state_so_the_next_run_retries()
    {
        _channel.Fail = true;
        Assert.Equal(NotificationStatus.Failed, await SendAsync(AlertSeverity.Critical));
        _channel.Fail = false;
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(NotificationStatus.Sent, await SendAsync(AlertSeverity.Critical));
    }

    [Fact]
    public async Task A_corrupt_state_file_counts_as_empty()
    {
        await File.WriteAllTextAsync(Options.StatePath!, "{ not json");

        Assert.Equal(NotificationStatus.Sent, await SendAsync(AlertSeverity.Critical));
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private async Task<NotificationStatus> SendAsync(AlertSeverity severity)
    {
        var results = await new Notifier(_clock).SendAsync(Alert(severity), [_channel], Options, CancellationToken.None);
        return Assert.Single(results).Status;
    }

    private static Alert Alert(AlertSeverity severity) => TestAlerts.Critical() with { Severity = severity };

    private sealed class RecordingChannel : INotificationChannel
    {
        public List<Alert> Sent { get; } = [];

        public bool Fail { get; set; }

        public string Name => "Recording";

        public Task SendAsync(Alert alert, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new NotificationDeliveryException("down");
            }

            Sent.Add(alert);
            return Task.CompletedTask;
        }
    }
}
