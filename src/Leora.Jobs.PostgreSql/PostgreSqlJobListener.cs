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
/// <remarks>
/// Behind a transaction-mode pooler LISTEN "succeeds" and then nothing ever arrives: the pooler hands the server
/// connection that listens to other clients between transactions, and no notification reaches this one (River #205).
/// So the listener first listens on a probe channel of its own, sends itself a notification on it through the store's
/// own connection string (the path every enqueue's notification takes) and waits for it; only then does it listen on the
/// wake-up channel. When the probe does not arrive the listener says so once (event 2602) and stops: workers find jobs
/// by polling, as with <see cref="PostgreSqlJobStoreOptions.Listen"/> false. A direct
/// <see cref="PostgreSqlJobStoreOptions.ListenConnectionString"/> keeps the wake-up behind such a pooler.
/// </remarks>
internal sealed class PostgreSqlJobListener(
    PostgreSqlJobStore store,
    JobSignal signal,
    PostgreSqlJobStoreOptions options,
    Func<bool> hasWorker,
    ILogger<PostgreSqlJobListener> logger) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private NpgsqlDataSource? _own;
    private readonly bool enabled = options.Listen;

    /// <summary>Whether LISTEN was found not to deliver notifications; the listener then stopped (tests read it).</summary>
    internal bool GaveUp { get; private set; }

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
                await using var connection = await ListenDataSource().OpenConnectionAsync(stop);
                // The probe has a channel of its own, and the wake-up channel is listened to only once the probe came
                // back: behind a transaction pooler a LISTEN stays on whichever server connection ran it, and an
                // UNLISTEN may run on another. A leaked LISTEN of the wake-up channel would receive every enqueue's
                // notification for the server connection's life, in another client's session or dropped by the pooler
                // with a warning each time; one of a probe channel receives nothing ever again.
                var probe = ProbeChannelPrefix + Guid.NewGuid().ToString("N");
                var probed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == probe) probed.TrySetResult();
                    else if (e.Channel == PostgreSqlWakeUp.Channel && e.Payload == store.Schema) signal.Notify();
                };
                // A late probe on a direct connection is a slow server, not a pooler (PgBouncer gives each client a
                // backend key of its own): keep listening there.
                var direct = await IsDirectAsync(connection, stop);
                await ExecuteAsync(connection, $"LISTEN \"{probe}\"", stop);
                if (!await ProbeAsync(connection, probe, probed.Task, stop) && !direct)
                {
                    GaveUp = true;
                    Log.ListenDeaf(logger, store.Schema, options.ListenProbeTimeout);
                    await UnlistenAsync(connection);
                    signal.Notify();
                    return;
                }
                // The same session as the probe's (a direct connection, or a session pooler's): LISTEN stays its last statement.
                await ExecuteAsync(connection, $"UNLISTEN \"{probe}\"; LISTEN {PostgreSqlWakeUp.Channel}", stop);
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

    private NpgsqlDataSource ListenDataSource()
    {
        if (options.ListenConnectionString is not { Length: > 0 } cs) return store.DataSource;
        // Nothing of the store's tuning matters for one connection that only waits; no reset, as for the store's own.
        return _own ??= new NpgsqlDataSourceBuilder(cs) { ConnectionStringBuilder = { NoResetOnClose = true } }.Build();
    }

    /// <summary>
    /// Sends the probe through the store's connection string and waits for it on <paramref name="connection"/>: true when
    /// it arrived (notifications reach this listener), false after <see cref="PostgreSqlJobStoreOptions.ListenProbeTimeout"/>.
    /// </summary>
    private async Task<bool> ProbeAsync(NpgsqlConnection connection, string probe, Task probed, CancellationToken stop)
    {
        await using (var notify = store.DataSource.CreateCommand("SELECT pg_notify(@channel, '')"))
        {
            notify.Parameters.AddWithValue("channel", probe);
            await notify.ExecuteNonQueryAsync(stop);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(options.ListenProbeTimeout);
        try
        {
            // WaitAsync reads what the server sends (and raises Notification) until one notification has arrived.
            while (!probed.IsCompleted) await connection.WaitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The start of each probe's channel, which a random suffix makes its own (tests read it).</summary>
    internal const string ProbeChannelPrefix = PostgreSqlWakeUp.Channel + "_probe_";

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken stop)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(stop);
    }

    private static async Task<bool> IsDirectAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        return (int)(await pid.ExecuteScalarAsync(stop))! == connection.ProcessID;
    }

    // The connection goes back to the pool, which does not reset sessions (PostgreSqlJobStore): leave nothing subscribed.
    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open) return;
        try
        {
            await ExecuteAsync(connection, "UNLISTEN *", CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            // A broken connection is not returned to the pool: nothing to clean.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (_own is not null) await _own.DisposeAsync();
        _stop.Dispose();
    }
}
