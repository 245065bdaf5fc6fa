using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// One queue's producer (or every queue's, when <paramref name="queue"/> is null): claims only as many jobs as it has free
/// slots, in one statement, and wakes on an in-process enqueue (<see cref="JobSignal"/>) or at the next poll. Stop is
/// graceful first: it stops claiming, gives running jobs <see cref="JobWorkerOptions.ShutdownGrace"/> to finish, then
/// fires their tokens, and the executor hands unfinished jobs back to pending without using an attempt.
/// </summary>
internal sealed class JobProducer(
    string? queue,
    int concurrency,
    IJobStore store,
    JobExecutor executor,
    JobSignal signal,
    JobsOptions options,
    JobWorkerOptions worker,
    JobNodeState node,
    TimeProvider time,
    ILogger logger) : StartStopService
{
    private readonly Lock _runningLock = new();
    private readonly HashSet<Task> _running = [];
    // One per run, replaced at each start: the stop that ends a run disposes them once every handler has returned.
    private CancellationTokenSource _stopHandlers = new();
    private SemaphoreSlim _slots = new(concurrency, concurrency);
    // Jobs whose handler returned and whose slot was freed early, while their outcome waits for its commit.
    private int _awaitingOutcome;

    /// <summary>Jobs whose handlers this producer runs now (not those finished and waiting for their outcome's commit).</summary>
    public int RunningCount
    {
        get { lock (_runningLock) return Math.Max(0, _running.Count - Volatile.Read(ref _awaitingOutcome)); }
    }

    protected override async Task RunAsync(CancellationToken stopping)
    {
        if (_stopHandlers.IsCancellationRequested)
        {
            _stopHandlers = new CancellationTokenSource();
            _slots = new SemaphoreSlim(concurrency, concurrency);
        }
        var slots = _slots;
        var name = queue ?? "*";
        Log.WorkerStarted(logger, name, concurrency);
        var failures = 0;
        var backlog = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stopping);
                // One slot is ours; take every other free one too, so one claim fills them all.
                var free = 1;
                while (free < concurrency && slots.Wait(0, CancellationToken.None)) free++;
                if (backlog && free < (concurrency + 1) / 2 && worker.FetchCooldown > TimeSpan.Zero)
                {
                    // Under a backlog, slots free up one by one as completions land: wait a moment so that one claim
                    // takes many jobs instead of one claim (one commit) per finished job. A pause for throughput, not a
                    // business time: on the real clock, so a test's fake clock cannot stall claiming.
                    await Task.Delay(worker.FetchCooldown, stopping);
                    while (free < concurrency && slots.Wait(0, CancellationToken.None)) free++;
                }
                var wake = signal.WaitAsync();
                IReadOnlyList<JobRow> rows;
                try
                {
                    rows = await store.JobClaimAsync(new JobClaimParams(queue, free, options.Lease, options.EffectiveWorkerName) { Kinds = executor.Kinds }, stopping);
                }
                catch
                {
                    slots.Release(free);
                    throw;
                }
                if (rows.Count < free) slots.Release(free - rows.Count);
                backlog = rows.Count == free;
                foreach (var row in rows) Track(RunAndReleaseAsync(row, slots));
                if (failures > 0) { Log.WorkerResumed(logger, name); node.DatabaseAvailable = true; }
                failures = 0;
                if (rows.Count == 0)
                    await Task.WhenAny(wake, Task.Delay(worker.PollInterval, time, stopping));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database is down or refused: back off, then resume; nothing is lost, claims are atomic.
                // Logged once per outage, not at every retry.
                var delay = TimeSpan.FromMilliseconds(Math.Min(5_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
                if (failures++ == 0) Log.WorkerLoopFailed(logger, ex, name, delay);
                node.DatabaseAvailable = false;
                try { await Task.Delay(delay, time, stopping); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    protected override async Task OnStoppedAsync(CancellationToken cancellationToken)
    {
        Task[] running;
        lock (_runningLock) running = [.. _running];
        if (running.Length > 0)
        {
            Log.WorkerStopping(logger, worker.ShutdownGrace, running.Length);
            var all = Task.WhenAll(running);
            await Task.WhenAny(all, Task.Delay(worker.ShutdownGrace, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default));
            await _stopHandlers.CancelAsync();
            await all;
        }
        else
        {
            await _stopHandlers.CancelAsync();
        }
        // Every handler has returned its slot: nothing uses them any more.
        _stopHandlers.Dispose();
        _slots.Dispose();
    }

    private async Task RunAndReleaseAsync(JobRow row, SemaphoreSlim slots)
    {
        node.JobStarted();
        var early = false;
        try
        {
            await executor.RunAsync(row, _stopHandlers.Token, null, () =>
            {
                // The handler returned: its outcome joins the next group commit, and its slot starts the next job now
                // (the attempt stays leased and heartbeated until the outcome is written). Unless as many outcomes as there
                // are slots already wait for their commit: then the commit is the bottleneck, and the slot waits with it.
                if (Interlocked.Increment(ref _awaitingOutcome) <= concurrency)
                {
                    early = true;
                    node.JobEnded();
                    slots.Release();
                }
                else
                {
                    Interlocked.Decrement(ref _awaitingOutcome);
                }
            });
        }
        finally
        {
            if (early)
            {
                Interlocked.Decrement(ref _awaitingOutcome);
            }
            else
            {
                node.JobEnded();
                slots.Release();
            }
        }
    }

    private void Track(Task task)
    {
        lock (_runningLock)
        {
            if (!_running.Add(task)) return;
        }
        task.ContinueWith(t =>
        {
            lock (_runningLock) _running.Remove(t);
        }, TaskScheduler.Default);
    }
}
