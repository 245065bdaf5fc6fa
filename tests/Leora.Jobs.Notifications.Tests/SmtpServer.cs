using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Leora.Jobs.TestSupport;
using MimeKit;

namespace Leora.Jobs.Notifications.Tests;

/// <summary>
/// A real SMTP server on 127.0.0.1: Debian's aiosmtpd (python3-aiosmtpd, installed by <c>./build.sh test</c>), run by
/// /usr/bin/python3 on a free port with its Mailbox handler, which writes each message it accepts into a Maildir.
/// </summary>
internal sealed class SmtpServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _maildir;

    private SmtpServer(Process process, string maildir, int port)
    {
        _process = process;
        _maildir = maildir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpServer> StartAsync()
    {
        var maildir = Directory.CreateTempSubdirectory("leora-smtp-").FullName;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(maildir, "mail") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 -m aiosmtpd did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new SmtpServer(process, maildir, port);
        await Eventually.WaitAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"aiosmtpd exited with code {process.ExitCode} (is python3-aiosmtpd installed? ./build.sh test installs it).");
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "aiosmtpd to listen");
        return server;
    }

    /// <summary>The messages received so far (the Maildir's new/ folder).</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var folder = Path.Combine(_maildir, "mail", "new");
        if (!Directory.Exists(folder)) return [];
        return [.. Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f))];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_maildir, recursive: true);
    }
}
