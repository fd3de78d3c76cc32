using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using PgBackupTools.Engine.Notify;
using PgBackupTools.Tests.Infrastructure;
using Xunit;

namespace PgBackupTools.Tests.Notify;

public sealed class ChannelFailureTests
{
    private const string Token = "987654:SUPER-secret-bot-token";

    [Fact]
    public async Task Http_500_is_a_failed_result_without_the_token()
    {
        using var server = new RecordingHttpServer(HttpStatusCode.InternalServerError, $"{{\"ok\":false,\"description\":\"boom for bot{Token}\"}}");
        var result = await SendOneAsync(Telegram(server.BaseUri, TimeSpan.FromSeconds(10)));

        Assert.Equal(NotificationStatus.Failed, result.Status);
        Assert.Contains("HTTP 500", result.Detail);
        Assert.Contains("boom", result.Detail);
        Assert.DoesNotContain(Token, result.Detail);
        Assert.DoesNotContain("SUPER-secret", result.Detail + result.Channel);
    }

    [Fact]
    public async Task Refused_connection_is_a_failed_result_without_the_token()
    {
        var port = FreeTcpPort.Find();
        var result = await SendOneAsync(Telegram(new Uri($"http://127.0.0.1:{port}"), TimeSpan.FromSeconds(10)));

        Assert.Equal(NotificationStatus.Failed, result.Status);
        Assert.Contains($"127.0.0.1:{port}", result.Detail);
        Assert.Contains("refused", result.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SUPER-secret", result.Detail);
    }

    [Fact]
    public async Task Server_that_never_answers_times_out_as_a_failed_result()
    {
        // Accepts the connection and then says nothing.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var channel = new WebhookChannel(new WebhookSettings { Uri = new Uri($"http://127.0.0.1:{port}/hook?token=QUERY-secret"), Secret = "s3cret-hmac" }, TimeSpan.FromMilliseconds(500));

        var result = await SendOneAsync(channel);

        Assert.Equal(NotificationStatus.Failed, result.Status);
        Assert.Contains("did not answer within 0.5 s", result.Detail);
        Assert.DoesNotContain("QUERY-secret", result.Detail + result.Channel);
        Assert.True(result.Duration < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task One_failing_channel_does_not_stop_the_others()
    {
        using var server = new RecordingHttpServer();
        var refused = new SlackChannel(new SlackSettings(new Uri($"http://127.0.0.1:{FreeTcpPort.Find()}/services/x")), TimeSpan.FromSeconds(5));
        var working = new WebhookChannel(new WebhookSettings { Uri = new Uri(server.BaseUri, "/hook") }, TimeSpan.FromSeconds(5));

        var results = await new Notifier(new FakeTimeProvider()).SendAsync(TestAlerts.Critical(), [refused, working], new NotificationOptions(), CancellationToken.None);

        Assert.Equal([NotificationStatus.Failed, NotificationStatus.Sent], results.Select(r => r.Status));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Unexpected_exception_in_a_channel_is_a_failed_result()
    {
        var result = await SendOneAsync(new ThrowingChannel());

        Assert.Equal(NotificationStatus.Failed, result.Status);
        Assert.Contains("InvalidOperationException", result.Detail);
        Assert.DoesNotContain("leaked", result.Detail);
    }

    [Fact]
    public async Task Caller_cancellation_propagates()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var channel = new WebhookChannel(new WebhookSettings { Uri = new Uri($"http://127.0.0.1:{port}/") }, TimeSpan.FromSeconds(30));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new Notifier(new FakeTimeProvider()).SendAsync(TestAlerts.Critical(), [channel], new NotificationOptions(), cancel.Token));
    }

    private static TelegramChannel Telegram(Uri baseUri, TimeSpan timeout) =>
        new(new TelegramSettings { BotToken = Token, ChatId = "42", BaseUri = baseUri }, timeout);

    private static async Task<NotificationResult> SendOneAsync(INotificationChannel channel)
    {
        var results = await new Notifier(new FakeTimeProvider()).SendAsync(TestAlerts.Critical(), [channel], new NotificationOptions(), CancellationToken.None);
        return Assert.Single(results);
    }

    private sealed class ThrowingChannel : INotificationChannel
    {
        public string Name => "Throwing";

        public Task SendAsync(Alert alert, CancellationToken cancellationToken) => throw new InvalidOperationException("leaked secret value");
    }
}
