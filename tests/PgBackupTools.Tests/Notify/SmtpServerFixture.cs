using System.Diagnostics;
using System.Net.Sockets;
using PgBackupTools.Tests.Infrastructure;
using Xunit;

namespace PgBackupTools.Tests.Notify;

/// <summary>
/// A real SMTP server for the test run: Debian's python3-aiosmtpd with its Mailbox handler, which stores every
/// message in a Maildir. Missing aiosmtpd fails the tests (CI installs it), it does not skip them.
/// </summary>
public sealed class SmtpServerFixture : IDisposable
{
    private const string Python = "/usr/bin/python3";

    private readonly Process _process;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("pgbt-smtp-");

    public SmtpServerFixture()
    {
        Port = FreeTcpPort.Find();
        Maildir = Path.Combine(_root.FullName, "maildir");
        RequireAiosmtpd();
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start python3 -m aiosmtpd");
        WaitUntilListening();
    }

    public int Port { get; }

    public string Maildir { get; }

    /// <summary>Paths of the messages delivered so far (Maildir "new" folder).</summary>
    public IReadOnlyList<string> Messages()
    {
        var folder = Path.Combine(Maildir, "new");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        _root.Delete(recursive: true);
    }

    private static void RequireAiosmtpd()
    {
        using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import aiosmtpd"]) { RedirectStandardError = true, UseShellExecute = false });
        probe!.WaitForExit(30_000);
        if (probe.ExitCode != 0)
        {
            throw new InvalidOperationException(
                "The SMTP tests need the Python module aiosmtpd: install it with 'apt-get install -y python3-aiosmtpd'. " + probe.StandardError.ReadToEnd());
        }
    }

    private void WaitUntilListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited with code {_process.ExitCode}: {_process.StandardError.ReadToEnd()}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        _process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"aiosmtpd did not listen on 127.0.0.1:{Port} within 20 s.");
    }
}
