using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// The long-running worker: one producer per queue that claims only as many jobs as it has free slots, in one
/// statement, wakes on in-process enqueues or polls, and rescues expired leases on a timer. Stop is graceful
/// first (running jobs get <see cref="JobWorkerOptions.ShutdownGrace"/> to finish), then cancels: unfinished
/// jobs go back to pending without using an attempt.
/// </summary>
public sealed class JobWorker : IHostedService, IAsyncDisposable
{
    private readonly IJobStore _store;
    private readonly JobExecutor _executor;
    private readonly IJobProcessor _processor;
    private readonly JobSignal _signal;
    private readonly JobsOptions _options;
    private readonly JobWorkerOptions _worker;
    private readonly TimeProvider _time;
    private readonly ILogger<JobWorker> _logger;
    private readonly CancellationTokenSource _stopClaiming = new();
    private readonly CancellationTokenSource _stopHandlers = new();
    private readonly List<Task> _loops = [];
    private readonly HashSet<Task> _running = [];
    private readonly List<SemaphoreSlim> _semaphores = [];
    private readonly Lock _runningLock = new();
    private int _started;
    private volatile bool _isLeader;
    private volatile bool _databaseAvailable = true;

    internal JobWorker(IJobStore store, JobExecutor executor, IJobProcessor processor, JobSignal signal,
        IOptions<JobsOptions> options, IOptions<JobWorkerOptions> worker, TimeProvider time, ILogger<JobWorker> logger)
    {
        _store = store;
        _executor = executor;
        _processor = processor;
        _signal = signal;
        _options = options.Value;
        _worker = worker.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Jobs running in this worker now.</summary>
    public int RunningCount { get { lock (_runningLock) return _running.Count; } }

    /// <summary>This node's name in the nodes table and the leader's lease (<see cref="JobsOptions.WorkerName"/>).</summary>
    public string NodeName => _options.EffectiveWorkerName;

    /// <summary>Whether this node holds the maintenance leader's lease (as of its last heartbeat).</summary>
    public bool IsLeader => _isLeader;

    /// <summary>False while the worker cannot reach the database (for readiness checks); true again once a statement succeeds.</summary>
    public bool DatabaseAvailable => _databaseAvailable;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_worker.Enabled || Interlocked.Exchange(ref _started, 1) == 1) return Task.CompletedTask;
        _worker.Validate();
        if (_worker.Queues.Count == 0)
            _loops.Add(Task.Run(() => ProduceAsync(null, _worker.Concurrency), CancellationToken.None));
        else
            foreach (var (queue, concurrency) in _worker.Queues)
                _loops.Add(Task.Run(() => ProduceAsync(queue, concurrency), CancellationToken.None));
        _loops.Add(Task.Run(RescueLoopAsync, CancellationToken.None));
        _loops.Add(Task.Run(NodeLoopAsync, CancellationToken.None));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _started) == 0 || _stopClaiming.IsCancellationRequested) { await Task.WhenAll(_loops); return; }
        await _stopClaiming.CancelAsync();
        await Task.WhenAll(_loops);
        Task[] running;
        lock (_runningLock) running = [.. _running];
        if (running.Length > 0)
        {
            Log.WorkerStopping(_logger, _worker.ShutdownGrace, running.Length);
            var all = Task.WhenAll(running);
            await Task.WhenAny(all, Task.Delay(_worker.ShutdownGrace, _time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default));
            await _stopHandlers.CancelAsync();
            await all;
        }
        await LeaveAsync();
    }

    // Best effort: a node that cannot say goodbye is removed by the leader once its heartbeat is stale, and its
    // leadership passes on when the lease expires.
    private async Task LeaveAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (_isLeader) await _store.LeaderResignAsync(NodeName, timeout.Token);
            _isLeader = false;
            await _store.NodeDeleteAsync(NodeName, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.WorkerLoopFailed(_logger, ex, "node", TimeSpan.Zero);
        }
    }

    private async Task ProduceAsync(string? queue, int concurrency)
    {
        var name = queue ?? "*";
        Log.WorkerStarted(_logger, name, concurrency);
        var stop = _stopClaiming.Token;
        var slots = NewSlots(concurrency);
        var failures = 0;
        var backlog = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stop);
                // One slot is ours; take every other free one too, so one claim fills them all.
                var free = 1;
                while (free < concurrency && slots.Wait(0)) free++;
                if (backlog && free < (concurrency + 1) / 2 && _worker.FetchCooldown > TimeSpan.Zero)
                {
                    // Under a backlog, slots free up one by one as completions land: wait a moment so that one claim
                    // takes many jobs instead of one claim (one commit) per finished job. A pause for throughput, not a
                    // business time: on the real clock, so a test's fake clock cannot stall claiming.
                    await Task.Delay(_worker.FetchCooldown, stop);
                    while (free < concurrency && slots.Wait(0)) free++;
                }
                var wake = _signal.WaitAsync();
                IReadOnlyList<JobRow> rows;
                try
                {
                    rows = await _store.JobClaimAsync(new JobClaimParams(queue, free, _options.Lease, _options.EffectiveWorkerName), stop);
                }
                catch
                {
                    slots.Release(free);
                    throw;
                }
                if (rows.Count < free) slots.Release(free - rows.Count);
                backlog = rows.Count == free;
                foreach (var row in rows) Track(RunAndReleaseAsync(row, slots));
                if (failures > 0) { Log.WorkerResumed(_logger, name); _databaseAvailable = true; }
                failures = 0;
                if (rows.Count == 0)
                    await Task.WhenAny(wake, Task.Delay(_worker.PollInterval, _time, stop));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database is down or refused: back off, then resume; nothing is lost, claims are atomic.
                // Logged once per outage, not at every retry.
                var delay = TimeSpan.FromMilliseconds(Math.Min(5_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
                if (failures++ == 0) Log.WorkerLoopFailed(_logger, ex, name, delay);
                _databaseAvailable = false;
                try { await Task.Delay(delay, _time, stop); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    // Disposed with the worker, not when the loop ends: handlers still running then release their slots into it.
    private SemaphoreSlim NewSlots(int concurrency)
    {
        var slots = new SemaphoreSlim(concurrency, concurrency);
        lock (_runningLock) _semaphores.Add(slots);
        return slots;
    }

    private async Task RunAndReleaseAsync(JobRow row, SemaphoreSlim slots)
    {
        try
        {
            await _executor.RunAsync(row, _stopHandlers.Token);
        }
        finally
        {
            slots.Release();
        }
    }

    private void Track(Task task)
    {
        lock (_runningLock) _running.Add(task);
        task.ContinueWith(t => { lock (_runningLock) _running.Remove(t); }, TaskScheduler.Default);
    }

    private async Task RescueLoopAsync()
    {
        var stop = _stopClaiming.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _processor.RescueExpiredAsync(stop);
                await Task.Delay(_worker.RescueInterval, _time, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.WorkerLoopFailed(_logger, ex, "rescue", _worker.RescueInterval);
                try { await Task.Delay(_worker.RescueInterval, _time, stop); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    // Every node heartbeats; one (the holder of the leader's lease) also prunes old finished jobs and stale nodes.
    private async Task NodeLoopAsync()
    {
        var stop = _stopClaiming.Token;
        var queues = _worker.Queues.Count == 0 ? "*" : string.Join(",", _worker.Queues.Keys.Order(StringComparer.Ordinal));
        var concurrency = _worker.Queues.Count == 0 ? _worker.Concurrency : _worker.Queues.Values.Sum();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _store.NodeHeartbeatAsync(new NodeHeartbeatParams(NodeName, queues, concurrency, RunningCount), stop);
                var leader = await _store.LeaderElectAsync(NodeName, _worker.LeaderLease, stop);
                if (leader != _isLeader)
                {
                    if (leader) Log.LeaderElected(_logger, NodeName);
                    else Log.LeaderLost(_logger, NodeName);
                    _isLeader = leader;
                }
                if (leader) await MaintainAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Without a heartbeat this node cannot know it still leads: stop acting as leader until it renews.
                _isLeader = false;
                Log.WorkerLoopFailed(_logger, ex, "node", _worker.NodeHeartbeatInterval);
            }
            try { await Task.Delay(_worker.NodeHeartbeatInterval, _time, stop); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task MaintainAsync(CancellationToken stop)
    {
        if (_worker.Retention is { } retention)
        {
            var total = 0;
            for (var i = 0; i < 10; i++)
            {
                var n = await _store.JobDeleteFinishedAsync(retention, _worker.PruneBatchSize, stop);
                total += n;
                if (n < _worker.PruneBatchSize) break;
            }
            if (total > 0) Log.Pruned(_logger, total, retention);
        }
        var stale = TimeSpan.FromTicks(Math.Max(_worker.LeaderLease.Ticks, _worker.NodeHeartbeatInterval.Ticks * 5));
        await _store.NodeDeleteStaleAsync(stale, stop);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopClaiming.Dispose();
        _stopHandlers.Dispose();
        foreach (var slots in _semaphores) slots.Dispose();
    }
}
