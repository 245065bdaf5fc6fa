using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Leora.Jobs.PostgreSql;

/// <summary>
/// Wakes this process's idle workers when another process enqueues: holds one connection that LISTENs on
/// <c>leora_jobs</c> (sent by every store that enqueues, <see cref="PostgreSqlWakeUp"/>) and turns each notification for this
/// schema into a <see cref="JobSignal"/>. Runs only in a process with a worker. Polling stays on as the fallback:
/// while the connection is down, or behind a transaction pooler where LISTEN cannot work (River #205), jobs are still
/// found at the next poll; after a reconnect it wakes the workers once, for what it may have missed.
/// </summary>
internal sealed class PostgreSqlJobListener(
    PostgreSqlJobStore store,
    JobSignal signal,
    bool enabled,
    Func<bool> hasWorker,
    ILogger<PostgreSqlJobListener> logger) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (enabled && hasWorker()) _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _loop;
    }

    private async Task LoopAsync()
    {
        var stop = _stop.Token;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await store.DataSource.OpenConnectionAsync(stop);
                connection.Notification += (_, e) =>
                {
                    if (e.Payload == store.Schema) signal.Notify();
                };
                await using (var listen = new NpgsqlCommand("LISTEN " + PostgreSqlWakeUp.Channel, connection))
                    await listen.ExecuteNonQueryAsync(stop);
                Log.Listening(logger, store.Schema);
                failures = 0;
                signal.Notify();
                try
                {
                    while (true) await connection.WaitAsync(stop);
                }
                finally
                {
                    await UnlistenAsync(connection);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Logged once per outage, then quietly retried: the workers' polling covers the gap.
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
                if (failures++ == 0) Log.ListenFailed(logger, ex, store.Schema, delay);
                try { await Task.Delay(delay, stop); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    // The connection goes back to the pool, which does not reset sessions (PostgreSqlJobStore): leave nothing subscribed.
    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open) return;
        try
        {
            await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            // A broken connection is not returned to the pool: nothing to clean.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stop.Dispose();
    }
}
