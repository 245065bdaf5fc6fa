using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>The state of one running attempt, shared by its handler's context, its heartbeat and the executor.</summary>
internal sealed class JobAttempt : IHeldJob, IDisposable
{
    private readonly IJobStore _store;
    private readonly CancellationTokenSource _cts;
    private int _leaseLost;
    private int _cancelRequested;

    public JobAttempt(JobRow row, IJobStore store, CancellationToken shutdown)
    {
        Row = row;
        _store = store;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        Shutdown = shutdown;
    }

    public JobRow Row { get; }
    public Guid LockToken => Row.LockToken ?? throw new InvalidOperationException("A claimed job has a lock token.");
    /// <summary>The result to store; made storable (<see cref="StoredText.StorableJson"/>) as it is set.</summary>
    public string? ResultJson
    {
        get => _resultJson;
        set => _resultJson = value is null ? null : StoredText.StorableJson(value);
    }

    private string? _resultJson;

    /// <summary>The jobs the handler enqueued through its context, written with this attempt's completion; null: none.</summary>
    public List<WorkflowPlanner.Entry>? Children { get; private set; }

    /// <summary>Checks children's type, payload and options as the handler adds them; null where none is at hand (handler tests).</summary>
    public Func<string, System.Text.Json.JsonElement, EnqueueOptions?, JobInsertParams>? CheckChild { get; set; }

    /// <summary>Adds a child (checked at once when <see cref="CheckChild"/> is set).</summary>
    public void AddChild(WorkflowJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        CheckChild?.Invoke(job.Type, job.Payload, job.Options);
        lock (this) (Children ??= []).Add(new WorkflowPlanner.Entry(job, null));
    }
    public CancellationToken Token => _cts.Token;
    public CancellationToken Shutdown { get; }
    public bool LeaseLost => Volatile.Read(ref _leaseLost) == 1;
    public bool CancelRequested => Volatile.Read(ref _cancelRequested) == 1;
    public bool TimedOut { get; private set; }

    /// <summary>
    /// Set by a handler that hands the attempt to someone who reports its outcome later (an HTTP job type's 202): the executor
    /// writes no outcome, extends the lease by this much and frees the worker's slot. Null: the handler's return completes the job.
    /// </summary>
    public TimeSpan? DeferredFor { get; set; }

    /// <summary>Fires the handler's token after <paramref name="timeout"/>, and remembers that it was a timeout.</summary>
    public void StartTimeout(TimeSpan? timeout, TimeProvider time)
    {
        if (timeout is { } t)
            _timeoutTimer = time.CreateTimer(_ => { TimedOut = true; TryCancel(); }, null, t, Timeout.InfiniteTimeSpan);
    }

    private ITimer? _timeoutTimer;

    public void MarkLeaseLost()
    {
        Interlocked.Exchange(ref _leaseLost, 1);
        TryCancel();
    }

    public void MarkCancelRequested()
    {
        Interlocked.Exchange(ref _cancelRequested, 1);
        TryCancel();
    }

    public async Task<bool> ReportProgressAsync(int percent, string? message, CancellationToken cancellationToken)
    {
        if (LeaseLost) return false;
        var ok = await _store.JobProgressAsync(new JobProgressParams(Row.Id, LockToken, percent, message is null ? null : StoredText.Storable(message)), cancellationToken);
        if (!ok) MarkLeaseLost();
        return ok;
    }

    private void TryCancel()
    {
        try { _cts.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _timeoutTimer?.Dispose();
        _cts.Dispose();
    }
}
