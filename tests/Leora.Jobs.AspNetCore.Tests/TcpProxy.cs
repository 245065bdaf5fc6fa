using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// A TCP relay on 127.0.0.1 (free port) in front of a real server, that can cut the line: <see cref="Cut"/> resets every
/// open connection and refuses new ones, as a database outage does to its clients; <see cref="Restore"/> lets them through again.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public void Cut()
    {
        _cut = true;
        foreach (var c in _open.Keys) Reset(c);
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            if (_cut) { Reset(client); continue; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            await Task.WhenAny(
                client.GetStream().CopyToAsync(server.GetStream(), done.Token),
                server.GetStream().CopyToAsync(client.GetStream(), done.Token));
            await done.CancelAsync();
        }
        catch (Exception) when (_cut || _stop.IsCancellationRequested)
        {
            // The line was cut on purpose.
        }
        catch (IOException)
        {
            // One side went away.
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(server, out _);
            Reset(client);
        }
    }

    // Linger 0: close with a reset, so the peer fails at once instead of waiting on a half-closed socket.
    private static void Reset(TcpClient c)
    {
        // A TcpClient already disposed (its relay ended) has no socket left.
        try { if (c.Client is { } socket) socket.LingerState = new LingerOption(true, 0); }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
        c.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var c in _open.Keys) Reset(c);
        try { await _accepting; }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
