namespace Leora.Jobs.Maintenance;

/// <summary>
/// The one lifecycle of the worker's and the leader's services (as River's <c>startstop.Service</c>): <see cref="StartAsync"/>
/// runs <see cref="RunAsync"/> in the background; <see cref="StopAsync"/> is graceful first (the loop's token fires and
/// <see cref="OnStoppedAsync"/> lets the service finish its work, within the caller's token), then the service is idle
/// again and may be started anew. Both are idempotent and safe to call concurrently: a second start while running does
/// nothing, a stop of an idle service returns at once, and concurrent stops wait for the same stop.
/// </summary>
internal abstract class StartStopService
{
    private readonly Lock _lock = new();
    private CancellationTokenSource? _stopping;
    private Task? _run;
    private Task? _stop;

    /// <summary>Whether the service runs (started, and not asked to stop).</summary>
    public bool IsRunning
    {
        get { lock (_lock) return _run is not null && _stop is null; }
    }

    /// <summary>Starts the loop unless it runs (or is stopping: a stop in progress is not undone). Returns at once.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_run is not null) return Task.CompletedTask;
            var stopping = new CancellationTokenSource();
            _stopping = stopping;
            _run = Task.Run(() => RunAsync(stopping.Token), CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    /// <summary>Stops the loop and waits for it; <paramref name="cancellationToken"/> cuts the graceful part short.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_run is null) return Task.CompletedTask;
            return _stop ??= StopCoreAsync(_run, _stopping!, cancellationToken);
        }
    }

    private async Task StopCoreAsync(Task run, CancellationTokenSource stopping, CancellationToken cancellationToken)
    {
        // Created under the lock: leave it before doing anything.
        await Task.Yield();
        try
        {
            await stopping.CancelAsync();
            await run;
            await OnStoppedAsync(cancellationToken);
        }
        finally
        {
            lock (_lock)
            {
                _run = null;
                _stop = null;
                _stopping = null;
            }
            stopping.Dispose();
        }
    }

    /// <summary>The service's loop; it returns once <paramref name="stopping"/> fires. It must not throw.</summary>
    protected abstract Task RunAsync(CancellationToken stopping);

    /// <summary>The graceful end, after the loop returned (hand back work, say goodbye). Nothing by default.</summary>
    protected virtual Task OnStoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The maintenance loop most services run: <paramref name="round"/>, then a wait of <paramref name="interval"/>, until
    /// <paramref name="stopping"/> fires. A failed round goes to <paramref name="failed"/> (log it, drop state that needs a
    /// success) and the loop carries on after the same wait, so a database outage is retried rather than ending the service.
    /// </summary>
    protected static async Task RepeatAsync(Func<CancellationToken, Task> round, TimeSpan interval, TimeProvider time,
        Action<Exception> failed, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await round(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failed(ex);
            }
            try { await Task.Delay(interval, time, stopping); }
            catch (OperationCanceledException) { break; }
        }
    }
}
