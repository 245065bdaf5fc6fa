using Leora.Jobs.Maintenance;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// The long-running worker: one producer per queue that claims only as many jobs as it has free slots, in one
/// statement, wakes on in-process enqueues or polls; a rescuer of expired leases on a timer; this node's heartbeat in
/// the nodes table; and the maintenance leader's election, pruning and schedule evaluation. Each is a small service with the same
/// start/stop contract; this hosted service starts and stops them together. Stop is graceful first (running jobs get
/// <see cref="JobWorkerOptions.ShutdownGrace"/> to finish), then cancels: unfinished jobs go back to pending without
/// using an attempt.
/// </summary>
public sealed class JobWorker : IHostedService, IAsyncDisposable
{
    private readonly JobWorkerOptions _worker;
    private readonly JobNodeState _node;
    private readonly Func<IReadOnlyList<JobProducer>> _newProducers;
    private readonly JobRescuer _rescuer;
    private readonly NodeHeartbeater _heartbeater;
    private readonly LeaderElector _elector;
    private readonly JobPruner _pruner;
    private readonly JobScheduler _scheduler;
    private IReadOnlyList<JobProducer> _producers = [];
    private int _started;
    private Task? _stop;
    private readonly Lock _stopLock = new();

    internal JobWorker(IJobStore store, JobExecutor executor, IJobProcessor processor, JobSignal signal, JobNodeState node,
        LeaderElector elector, JobPruner pruner, JobScheduler scheduler, IOptions<JobsOptions> options, IOptions<JobWorkerOptions> worker, TimeProvider time,
        ILogger<JobWorker> logger)
    {
        var jobs = options.Value;
        var w = worker.Value;
        _worker = w;
        _node = node;
        // Built at start, after the options are validated: a queue's producer needs a valid concurrency.
        _newProducers = () => w.Queues.Count == 0
            ? [new JobProducer(null, w.Concurrency, store, executor, signal, jobs, w, node, time, logger)]
            : [.. w.Queues.Select(q => new JobProducer(q.Key, q.Value, store, executor, signal, jobs, w, node, time, logger))];
        _rescuer = new JobRescuer(processor, w.RescueInterval, time, logger);
        var queues = w.Queues.Count == 0 ? "*" : string.Join(",", w.Queues.Keys.Order(StringComparer.Ordinal));
        // The types this node claims (JobExecutor.Kinds): stats tell a type no live node knows ("no worker for this type").
        var kinds = System.Text.Json.JsonSerializer.Serialize(executor.Kinds);
        _heartbeater = new NodeHeartbeater(store, node, queues, kinds, w.TotalConcurrency, w.NodeHeartbeatInterval, time, logger);
        _elector = elector;
        _pruner = pruner;
        _scheduler = scheduler;
    }

    /// <summary>Jobs running in this worker now.</summary>
    public int RunningCount => _producers.Sum(p => p.RunningCount);

    /// <summary>This node's name in the nodes table and the leader's lease (<see cref="JobsOptions.WorkerName"/>).</summary>
    public string NodeName => _node.NodeName;

    /// <summary>Whether this node holds the maintenance leader's lease (as of its last election).</summary>
    public bool IsLeader => _node.IsLeader;

    /// <summary>False while the worker cannot reach the database (for readiness checks); true again once a statement succeeds.</summary>
    public bool DatabaseAvailable => _node.DatabaseAvailable;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_worker.Enabled || Interlocked.Exchange(ref _started, 1) == 1) return;
        _worker.Validate();
        JobPruner.Validate(_worker);
        _producers = _newProducers();
        foreach (var producer in _producers) await producer.StartAsync(cancellationToken);
        await _rescuer.StartAsync(cancellationToken);
        await _heartbeater.StartAsync(cancellationToken);
        await _elector.StartAsync(cancellationToken);
        await _pruner.StartAsync(cancellationToken);
        await _scheduler.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Once: a second call (the host, then the container's dispose) waits for the first.
        lock (_stopLock)
        {
            if (Volatile.Read(ref _started) == 0) return Task.CompletedTask;
            return _stop ??= StopCoreAsync(cancellationToken);
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        // Claiming and maintenance stop first, and running jobs get their grace; then the node leaves: it resigns the
        // leader's lease and removes its row, so another node can take over at once.
        await Task.WhenAll([
            .. _producers.Select(p => p.StopAsync(cancellationToken)),
            _rescuer.StopAsync(cancellationToken),
            _pruner.StopAsync(cancellationToken),
            _scheduler.StopAsync(cancellationToken),
        ]);
        await _elector.StopAsync(cancellationToken);
        await _heartbeater.StopAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
