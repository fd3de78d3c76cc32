using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PgBackupTools.Engine.Notify;
using PgBackupTools.Tests.Infrastructure;
using Xunit;

namespace PgBackupTools.Tests.Notify;

public sealed class SmtpChannelTests(SmtpServerFixture smtp) : IClassFixture<SmtpServerFixture>
{
    [Fact]
    public async Task Sends_subject_and_plain_text_body_with_the_facts()
    {
        var alert = TestAlerts.Critical("smtp:" + Guid.NewGuid().ToString("N"));
        var settings = new SmtpSettings
        {
            Host = "127.0.0.1",
            Port = smtp.Port,
            Tls = SmtpTlsMode.None,
            From = "pgbackup@example.org",
            To = ["ops@example.org", "dba@example.org"],
        };

        var results = await new Notifier(new FakeTimeProvider()).SendAsync(alert, [new SmtpChannel(settings, TimeSpan.FromSeconds(10))], new NotificationOptions(), CancellationToken.None);

        Assert.Equal(NotificationStatus.Sent, Assert.Single(results).Status);
        var message = smtp.Messages().Select(path => MimeMessage.Load(path)).Single(m => m.Headers["X-PgBackupTools-Alert-Key"] == alert.Key);
        Assert.Equal("[CRITICAL] PgBackupTools: Backup of shop is 26 h old", message.Subject);
        Assert.Equal(["ops@example.org", "dba@example.org"], message.To.Mailboxes.Select(m => m.Address));
        var body = message.TextBody;
        Assert.Contains("The newest backup of 'shop' is older than 24 h", body);
        Assert.Contains("Backup age: 26 h", body);
        Assert.Contains("Free space: 12 GB", body);
    }

    [Fact]
    public async Task Refused_connection_is_a_failed_result_without_the_password()
    {
        var port = FreeTcpPort.Find();
        var settings = new SmtpSettings
        {
            Host = "127.0.0.1",
            Port = port,
            Tls = SmtpTlsMode.None,
            User = "alerts",
            Password = "smtp-Pa55word",
            From = "pgbackup@example.org",
            To = ["ops@example.org"],
        };

        var results = await new Notifier(new FakeTimeProvider()).SendAsync(TestAlerts.Critical(), [new SmtpChannel(settings, TimeSpan.FromSeconds(5))], new NotificationOptions(), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(NotificationStatus.Failed, result.Status);
        Assert.Contains($"127.0.0.1:{port}", result.Detail);
        Assert.DoesNotContain("Pa55word", result.Detail);
    }
}
