using System.Net;
using System.Net.Sockets;

namespace Leora.Jobs.TestSupport;

/// <summary>
/// A TCP relay on 127.0.0.1 (free port) in front of a real server that can stop forwarding without closing anything, as
/// a network partition does: after <see cref="Partition"/> no byte crosses in either direction, open connections stay
/// open and hang, new ones are accepted and hang before they reach the server. <see cref="Heal"/> lets everything
/// through again, in order: what a client sent during the partition reaches the server late, as TCP retransmits it once
/// the network is back (a partition shorter than TCP's retransmission timeout breaks no connection).
/// </summary>
public sealed class PartitionRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _sockets = [];
    private readonly Lock _lock = new();
    private readonly Task _accepting;
    private TaskCompletionSource _open = Opened();
    private long _heldBytes;

    public PartitionRelay(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Bytes that arrived from either side during the partitions so far and were held (delivered at the heal).</summary>
    public long HeldBytes => Interlocked.Read(ref _heldBytes);

    /// <summary>Whether the relay forwards now.</summary>
    public bool IsPartitioned { get { lock (_lock) return !_open.Task.IsCompleted; } }

    /// <summary>Stops forwarding; nothing is closed.</summary>
    public void Partition()
    {
        lock (_lock) if (_open.Task.IsCompleted) _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Forwards again, starting with what was held.</summary>
    public void Heal()
    {
        lock (_lock) _open.TrySetResult();
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private Task OpenAsync()
    {
        lock (_lock) return _open.Task;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        lock (_lock)
        {
            _sockets.Add(client);
            _sockets.Add(server);
        }
        try
        {
            // A connection opened during a partition is accepted (the client's SYN was answered before the cut, say) and
            // reaches the server only once the partition heals.
            await OpenAsync().WaitAsync(_stop.Token);
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // One side went away.
        }
        finally
        {
            lock (_lock)
            {
                _sockets.Remove(client);
                _sockets.Remove(server);
            }
            client.Dispose();
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        var source = from.GetStream();
        var target = to.GetStream();
        while (true)
        {
            var n = await source.ReadAsync(buffer, _stop.Token);
            if (n == 0) break;
            var open = OpenAsync();
            if (!open.IsCompleted)
            {
                // Held, not dropped: this chunk and everything behind it wait for the heal (the kernel's buffers and then
                // the sender's hold the rest, as a sender's TCP does while its packets go unanswered).
                Interlocked.Add(ref _heldBytes, n);
                await open.WaitAsync(_stop.Token);
            }
            await target.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
        to.Client.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_lock)
        {
            foreach (var s in _sockets) s.Dispose();
            _sockets.Clear();
        }
        try { await _accepting; }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
