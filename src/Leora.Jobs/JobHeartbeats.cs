using System.Collections.Concurrent;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>A job this process holds a lease on: running (<see cref="JobAttempt"/>) or claimed by a batch and waiting for a slot.</summary>
internal interface IHeldJob
{
    JobRow Row { get; }
    Guid LockToken { get; }
    void MarkLeaseLost();
    void MarkCancelRequested();
}

/// <summary>
/// The node's heartbeat: every <see cref="JobsOptions.HeartbeatInterval"/> (a third of the lease), one statement extends
/// the leases of every job this process holds, instead of one timer and one transaction per job. A job the database no
/// longer gives this process (rescued after a stall, deleted) is marked lost and its handler cancelled; a cancel asked
/// for elsewhere reaches the handler through the same answer.
/// </summary>
internal sealed class JobHeartbeats(
    IJobStore store,
    RunningJobs running,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<JobHeartbeats> logger) : IAsyncDisposable, IDisposable
{
    private readonly JobsOptions _options = options.Value;
    private readonly ConcurrentDictionary<long, IHeldJob> _waiting = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private Task? _loop;

    /// <summary>Starts the heartbeat if it is not running (the first job this process holds starts it).</summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null) return;
        lock (_lock)
        {
            if (_loop is not null || _stop.IsCancellationRequested) return;
            // Called directly, not through Task.Run: the first delay is armed before this returns, so a test's fake clock
            // cannot move past it unseen.
            _loop = LoopAsync();
        }
    }

    /// <summary>Keeps a claimed job that waits for a slot alive until <see cref="Release"/>.</summary>
    public void Hold(IHeldJob job)
    {
        _waiting[job.Row.Id] = job;
        EnsureStarted();
    }

    public void Release(IHeldJob job) => _waiting.TryRemove(new KeyValuePair<long, IHeldJob>(job.Row.Id, job));

    private async Task LoopAsync()
    {
        var interval = _options.EffectiveHeartbeat;
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            IHeldJob[] held = [.. running.Attempts, .. _waiting.Values];
            if (held.Length == 0) continue;
            try
            {
                var answer = await store.JobHeartbeatManyAsync([.. held.Select(h => new JobLease(h.Row.Id, h.LockToken))], _options.Lease, stop);
                foreach (var job in held)
                {
                    switch (answer.GetValueOrDefault(job.Row.Id, JobHeartbeatResult.Lost))
                    {
                        // A job that finished while the heartbeat was on its way is gone from the database too: only a job
                        // still held here lost its lease.
                        case JobHeartbeatResult.Lost when running.Holds(job) || _waiting.TryRemove(new KeyValuePair<long, IHeldJob>(job.Row.Id, job)):
                            job.MarkLeaseLost();
                            break;
                        case JobHeartbeatResult.CancelRequested:
                            job.MarkCancelRequested();
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A missed heartbeat is not fatal: the lease is three heartbeats long.
                Log.HeartbeatFailed(logger, ex, held.Length);
            }
        }
    }

    // A container disposed synchronously: stop the loop without waiting for a heartbeat in flight.
    public void Dispose()
    {
        lock (_lock)
        {
            if (!_stop.IsCancellationRequested) _stop.Cancel();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_lock)
        {
            if (!_stop.IsCancellationRequested) _stop.Cancel();
            loop = _loop;
        }
        if (loop is not null) await loop;
    }
}
