using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>The default <see cref="IJobClient"/>: validates input, then calls the store.</summary>
internal sealed class JobClient(
    IJobStore store,
    JobTypeRegistry registry,
    JobSignal signal,
    RunningJobs running,
    IOptions<JobsOptions> options,
    IOptions<JobWorkerOptions> worker,
    TimeProvider time) : IJobClient
{
    private const int CleanupBatchSize = 1000;
    private const int MaxIdempotencyKeyLength = 200;

    /// <summary>The most attempts a job may have in all: at enqueue, and after any number of manual retries.</summary>
    internal const int MaxAttemptsLimit = 1000;

    /// <summary>
    /// The latest time a job may be scheduled for, by <see cref="EnqueueOptions.RunAt"/> or <see cref="EnqueueOptions.Delay"/>.
    /// A year short of what .NET can represent (9999-12-31), so that every time the stores compute from it, read back or
    /// render with an offset still fits; PostgreSQL would store much later times that nothing could then read.
    /// </summary>
    internal static readonly DateTimeOffset LatestRunAt = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly JobsOptions _options = options.Value;

    public Task<EnqueueResult> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IJobArgs =>
        InsertAsync(Typed(args, options), options, null, cancellationToken);

    public Task<EnqueueResult> EnqueueAsync<TArgs>(TArgs args, DbTransaction transaction, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IJobArgs =>
        InsertAsync(Typed(args, options), options, transaction ?? throw new ArgumentNullException(nameof(transaction)), cancellationToken);

    public Task<EnqueueResult> EnqueueAsync(string type, JsonElement payload, EnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
        InsertAsync(Untyped(type, payload, options), options, null, cancellationToken);

    public Task<EnqueueResult> EnqueueAsync(string type, JsonElement payload, DbTransaction transaction, EnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
        InsertAsync(Untyped(type, payload, options), options, transaction ?? throw new ArgumentNullException(nameof(transaction)), cancellationToken);

    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync<TArgs>(IEnumerable<TArgs> args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IJobArgs =>
        InsertManyAsync(args, options, null, cancellationToken);

    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync<TArgs>(IEnumerable<TArgs> args, DbTransaction transaction, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IJobArgs =>
        InsertManyAsync(args, options, transaction ?? throw new ArgumentNullException(nameof(transaction)), cancellationToken);

    private async Task<IReadOnlyList<EnqueueResult>> InsertManyAsync<TArgs>(IEnumerable<TArgs> args, EnqueueOptions? options, DbTransaction? transaction, CancellationToken cancellationToken)
        where TArgs : IJobArgs
    {
        ArgumentNullException.ThrowIfNull(args);
        if (options?.IdempotencyKey is not null)
            throw new JobValidationException("One idempotency key cannot be shared by many jobs.", "idempotencyKey");
        var type = registry.Get(TArgs.Kind);
        var rows = args.Select(a => Params(type, Serialize(a), options)).ToList();
        if (rows.Count == 0) return [];
        using var activity = JobsTelemetry.StartEnqueue(type.Kind, rows[0].Queue, rows.Count);
        // Every job of one call shares the call's trace context.
        if (JobsTelemetry.WithTraceContext(rows[0]) is { TraceParent: not null } traced)
            for (var i = 0; i < rows.Count; i++) rows[i] = rows[i] with { TraceParent = traced.TraceParent, TraceState = traced.TraceState };
        if (options is { IsWorkflow: true }) return await InsertWorkflowRowsAsync(rows, [.. rows.Select(_ => options)], transaction, cancellationToken);
        var results = await store.JobInsertManyAsync(rows, transaction, cancellationToken);
        signal.Notify();
        return results;
    }

    // Jobs with parents or a batch, enqueued by the many-job calls: one workflow insert, answered in the order given.
    private async Task<IReadOnlyList<EnqueueResult>> InsertWorkflowRowsAsync(List<JobInsertParams> rows, IReadOnlyList<EnqueueOptions?> options,
        DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var next = 0;
        var entries = options.Select(o => new WorkflowPlanner.Entry(new WorkflowJob("", default) { Options = o }, null)).ToList();
        var (insert, order) = WorkflowPlanner.Plan(entries, (_, _, _) => rows[next++]);
        var written = await store.WorkflowInsertAsync(insert, transaction, cancellationToken);
        signal.Notify();
        return [.. order.Select(k => new EnqueueResult(written.JobIds[k], false))];
    }

    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<JobRequest> jobs, CancellationToken cancellationToken = default) =>
        InsertRequestsAsync(jobs, null, cancellationToken);

    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<JobRequest> jobs, DbTransaction transaction, CancellationToken cancellationToken = default) =>
        InsertRequestsAsync(jobs, transaction ?? throw new ArgumentNullException(nameof(transaction)), cancellationToken);

    private async Task<IReadOnlyList<EnqueueResult>> InsertRequestsAsync(IReadOnlyList<JobRequest> jobs, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0) return [];
        // Every job is checked before any is written, so that the refusal names all the invalid ones at once.
        var rows = new List<JobInsertParams>(jobs.Count);
        List<JobBulkError>? errors = null;
        for (var i = 0; i < jobs.Count; i++)
        {
            try
            {
                var job = jobs[i] ?? throw new JobValidationException("The job is missing (null).", field: null);
                rows.Add(Untyped(job.Type, job.Payload, job.Options));
            }
            catch (JobValidationException ex)
            {
                (errors ??= []).Add(new JobBulkError(i, ex.Field, ex.Message));
            }
            catch (UnknownJobTypeException ex)
            {
                (errors ??= []).Add(new JobBulkError(i, "type", ex.Message));
            }
        }
        if (errors is not null) throw new JobBulkValidationException(jobs.Count, errors);
        using var activity = JobsTelemetry.StartEnqueue(rows[0].Kind, rows[0].Queue, rows.Count);
        // Every job of one call shares the call's trace context.
        if (JobsTelemetry.WithTraceContext(rows[0]) is { TraceParent: not null } traced)
            for (var i = 0; i < rows.Count; i++) rows[i] = rows[i] with { TraceParent = traced.TraceParent, TraceState = traced.TraceState };
        if (jobs.Any(j => j.Options is { IsWorkflow: true }))
            return await InsertWorkflowRowsAsync(rows, [.. jobs.Select(j => j.Options)], transaction, cancellationToken);
        var results = await store.JobInsertManyAsync(rows, transaction, cancellationToken);
        if (results.Any(r => !r.Existing)) signal.Notify();
        return results;
    }

    private async Task<EnqueueResult> InsertAsync(JobInsertParams job, EnqueueOptions? options, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        using var activity = JobsTelemetry.StartEnqueue(job.Kind, job.Queue, 1);
        if (options is { IsWorkflow: true })
        {
            // A job with parents or a batch (docs/workflows.md): written with its edges and batch row, answered with its row.
            var (insert, _) = WorkflowPlanner.Plan([new WorkflowPlanner.Entry(new WorkflowJob(job.Kind, default) { Options = options }, null)],
                (_, _, _) => JobsTelemetry.WithTraceContext(job));
            var written = await store.WorkflowInsertAsync(insert, transaction, cancellationToken);
            signal.Notify();
            var id = written.JobIds[0];
            // In the caller's transaction the row is not visible to another connection yet (SQLite): answer with the id.
            return transaction is null && await store.JobGetAsync(id, cancellationToken) is { } row ? new EnqueueResult(row, false) : new EnqueueResult(id, false);
        }
        var result = await store.JobInsertAsync(JobsTelemetry.WithTraceContext(job), transaction, cancellationToken);
        if (!result.Existing)
        {
            signal.Notify();
        }
        return result;
    }

    private JobInsertParams Typed<TArgs>(TArgs args, EnqueueOptions? options) where TArgs : IJobArgs =>
        Params(registry.Get(TArgs.Kind), Serialize(args), options);

    // A typed payload is checked as it will be stored: its strings come from the caller's objects, unchecked so far.
    private static string Serialize<TArgs>(TArgs args) where TArgs : IJobArgs
    {
        ArgumentNullException.ThrowIfNull(args);
        var json = JsonSerializer.Serialize(args, JobJson.Options);
        StoredText.RequirePayload(json);
        return json;
    }

    internal JobInsertParams Untyped(string type, JsonElement payload, EnqueueOptions? options)
    {
        if (string.IsNullOrWhiteSpace(type)) throw new JobValidationException("The job type is missing.", "type");
        var descriptor = registry.Get(type);
        // Checked as it arrived, so that the error names the member the caller sent; binding keeps its strings and numbers.
        StoredText.RequirePayload(payload);
        return Params(descriptor, descriptor.Bind(payload), options);
    }

    private JobInsertParams Params(JobTypeDescriptor type, string payload, EnqueueOptions? options)
    {
        options ??= new EnqueueOptions();
        var maxAttempts = options.MaxAttempts ?? type.Options.MaxAttempts ?? _options.DefaultMaxAttempts;
        if (maxAttempts < 1) throw new JobValidationException($"maxAttempts must be at least 1 (was {maxAttempts}).", "maxAttempts");
        if (maxAttempts > MaxAttemptsLimit)
            throw new JobValidationException($"maxAttempts must be at most {MaxAttemptsLimit} (was {maxAttempts}).", "maxAttempts");
        var queue = options.Queue ?? type.Options.Queue ?? _options.DefaultQueue;
        if (!QueueName.IsValid(queue))
            throw new JobValidationException($"Queue name '{queue}' is not valid: 1–64 letters, digits, '_', '-', '.', ':'.", "queue");
        if (options.Delay is { } delay && delay < TimeSpan.Zero)
            throw new JobValidationException("delay must not be negative.", "delaySeconds");
        if (options.RunAt > LatestRunAt)
            throw new JobValidationException($"runAt must be no later than {Iso(LatestRunAt)} (was {Iso(options.RunAt.Value)}).", "runAt");
        if (options.Delay is { } d && d > LatestRunAt - time.GetUtcNow())
            throw new JobValidationException(DelayTooLarge, "delaySeconds");
        if (options.IdempotencyKey is { } key && (key.Length == 0 || key.Length > MaxIdempotencyKeyLength))
            throw new JobValidationException($"idempotencyKey must be 1–{MaxIdempotencyKeyLength} characters.", "idempotencyKey");
        StoredText.Require(options.IdempotencyKey, "idempotencyKey");
        if (options.ConcurrencyKey is { } ck && (ck.Length == 0 || ck.Length > MaxIdempotencyKeyLength))
            throw new JobValidationException($"concurrencyKey must be 1–{MaxIdempotencyKeyLength} characters.", "concurrencyKey");
        StoredText.Require(options.ConcurrencyKey, "concurrencyKey");
        return new JobInsertParams(type.Kind, queue, payload, options.Priority ?? type.Options.Priority ?? 0, maxAttempts,
            options.RunAt, options.RunAt is null ? options.Delay : null, options.IdempotencyKey) { ConcurrencyKey = options.ConcurrencyKey };
    }

    /// <summary>The refusal of a delay that would schedule a job after <see cref="LatestRunAt"/>.</summary>
    internal static string DelayTooLarge =>
        $"delaySeconds is too large: the job would run after {Iso(LatestRunAt)}, the latest time a job may be scheduled for.";

    private static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public async Task<JobInfo?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        await store.JobGetAsync(id, cancellationToken) is { } row ? JobMapping.ToInfo(row) : null;

    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 1000) throw new JobValidationException("limit must be 1–1000.", "limit");
        StoredText.Require(query.Type, "type");
        StoredText.Require(query.Queue, "queue");
        StoredText.Require(query.IdempotencyKey, "idempotencyKey");
        long? after = null;
        if (!string.IsNullOrEmpty(query.Cursor))
        {
            if (!long.TryParse(query.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var a))
                throw new JobValidationException("cursor is not valid.", "cursor");
            after = a;
        }
        // One more than asked tells whether there is a next page without counting.
        if (query.PayloadContains is { } text)
        {
            if (text.Length is < 1 or > MaxPayloadSearch) throw new JobValidationException($"payload search must be 1–{MaxPayloadSearch} characters.", "payload");
            StoredText.Require(text, "payload");
        }
        var rows = await store.JobListAsync(ListParams(query, query.Limit + 1, after), cancellationToken);
        var items = rows.Take(query.Limit).Select(JobMapping.ToInfo).ToList();
        var next = rows.Count > query.Limit ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return new JobPage(items, next);
    }

    private static JobListParams ListParams(JobQuery query, int limit, long? after) =>
        new(query.Status, query.Type, query.Queue, limit, after, query.NewestFirst ? JobListOrder.NewestFirst : JobListOrder.OldestFirst,
            query.Scheduled, query.IdempotencyKey)
        {
            Attempted = query.Attempted,
            Exhausted = query.Exhausted,
            PayloadContains = query.PayloadContains,
            CreatedFrom = query.CreatedFrom,
            CreatedTo = query.CreatedTo,
            FinishedFrom = query.FinishedFrom,
            FinishedTo = query.FinishedTo,
        };

    public Task<long> CountAsync(JobQuery query, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (max < 1) throw new JobValidationException("max must be at least 1.", "max");
        StoredText.Require(query.Type, "type");
        StoredText.Require(query.Queue, "queue");
        StoredText.Require(query.IdempotencyKey, "idempotencyKey");
        return store.JobCountAsync(ListParams(query, max, null), cancellationToken);
    }

    public Task<IReadOnlyList<JobGroupCounts>> CountByGroupAsync(bool byType, CancellationToken cancellationToken = default) =>
        store.JobCountByGroupAsync(byType, cancellationToken);

    public async Task<JobActionResult> RunNowAsync(long id, CancellationToken cancellationToken = default)
    {
        var result = await store.JobRunNowAsync(id, cancellationToken);
        if (result == JobActionResult.Done) signal.Notify();
        return result;
    }

    /// <summary>The longest payload text a search takes.</summary>
    internal const int MaxPayloadSearch = 200;

    public async Task<IReadOnlyList<JobEvent>?> TimelineAsync(long id, CancellationToken cancellationToken = default)
    {
        // The stored events first, then the row whose own columns hold the enqueue, the latest claim and the completion
        // (JobTimeline): an event written in between is missing from this answer, never shown twice.
        var stored = await store.JobEventListAsync(id, cancellationToken);
        return await store.JobGetAsync(id, cancellationToken) is { } job ? JobTimeline.Of(job, stored) : null;
    }

    public Task<JobHistory> HistoryAsync(JobHistoryRange range, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(range)) throw new JobValidationException("range is hour, day or week.", "range");
        return store.JobHistoryAsync(range, cancellationToken);
    }

    public Task<IReadOnlyDictionary<JobStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default) =>
        store.JobCountByStatusAsync(cancellationToken);

    public string Provider => store.Provider;

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        await store.OpenConnectionAsync(cancellationToken);

    public Task<JobSchemaVersion> SchemaVersionAsync(CancellationToken cancellationToken = default) =>
        JobSchemaVersion.ReadAsync(store, cancellationToken);

    public async Task<IReadOnlyList<JobNode>> NodesAsync(CancellationToken cancellationToken = default) =>
        Nodes(await store.NodeListAsync(cancellationToken), time.GetUtcNow());

    public async Task<JobStats> StatsAsync(CancellationToken cancellationToken = default)
    {
        var stats = await store.JobStatsAsync(cancellationToken);
        var rows = await store.NodeListAsync(cancellationToken);
        // Compared with the store's clock (the database's on PostgreSQL), which also stamped the heartbeats.
        var nodes = Nodes(rows, stats.Now);
        var known = KnownKinds(rows, nodes);
        return stats with
        {
            Nodes = nodes,
            TypesWithoutWorker = [.. stats.ByType
                .Where(t => t.Value.GetValueOrDefault(JobStatus.Pending) > 0 && !registry.TryGet(t.Key, out _) && known?.Contains(t.Key) == false)
                .Select(t => t.Key).Order(StringComparer.Ordinal)],
            Paused = await store.PauseListAsync(cancellationToken),
            Schema = await JobSchemaVersion.ReadAsync(store, cancellationToken),
            Limits = await store.LimitListAsync(cancellationToken),
        };
    }

    /// <summary>
    /// The job types the live (not silent) nodes have handlers for, or null when one of them did not say (a node of an
    /// earlier release, which claims every type): then no type can be said to have no worker.
    /// </summary>
    private static HashSet<string>? KnownKinds(IReadOnlyList<NodeRow> rows, IReadOnlyList<JobNode> nodes)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            if (nodes[i].Silent) continue;
            if (rows[i].Kinds is not { } kinds) return null;
            try
            {
                foreach (var kind in JsonSerializer.Deserialize<string[]>(kinds) ?? []) known.Add(kind);
            }
            catch (JsonException)
            {
                return null;
            }
        }
        return known;
    }

    // Heartbeats spaced as this process's settings space them.
    private IReadOnlyList<JobNode> Nodes(IReadOnlyList<NodeRow> rows, DateTimeOffset now) =>
        [.. rows.Select(n => JobNode.From(n, now, worker.Value.NodeHeartbeatInterval))];

    public Task<IReadOnlyList<JobThroughputPoint>> ThroughputAsync(TimeSpan window, CancellationToken cancellationToken = default) =>
        store.JobThroughputAsync(window, cancellationToken);

    public async Task<JobCancelResult> CancelAsync(long id, CancellationToken cancellationToken = default)
    {
        var result = await store.JobCancelAsync(id, cancellationToken);
        if (result == JobCancelResult.CancelRequested) running.RequestCancel(id);
        return result;
    }

    public async Task<JobActionResult> RetryAsync(long id, CancellationToken cancellationToken = default)
    {
        // A retry grants the job type's attempts afresh, as configured now (a per-job maxAttempts given at enqueue was
        // for the first run), never past MaxAttemptsLimit in all. The kind is read first; the statement itself checks
        // the status, so a job that changed in between is answered as it is now.
        if (await store.JobGetAsync(id, cancellationToken) is not { } job) return JobActionResult.NotFound;
        var attempts = registry.TryGet(job.Kind, out var type) ? type.Options.MaxAttempts ?? _options.DefaultMaxAttempts : _options.DefaultMaxAttempts;
        var result = await store.JobRetryAsync(new JobRetryParams(id, attempts, MaxAttemptsLimit), cancellationToken);
        if (result == JobActionResult.Done) signal.Notify();
        return result;
    }

    /// <summary>Why a retry of <paramref name="job"/> (as read after the refusal; null when it is gone) was refused, for people.</summary>
    internal static string RetryRefusal(long id, JobInfo? job) => job switch
    {
        null => $"Job {id} is gone.",
        { Status: JobStatus.Failed or JobStatus.Cancelled } =>
            $"Job {id} has used {job.Attempts} attempts, the most a job may have ({MaxAttemptsLimit}); it cannot be retried. Enqueue it again instead.",
        _ => $"Job {id} is {job.Status.ToName()}; only failed or cancelled jobs can be retried.",
    };

    public Task<JobActionResult> DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        store.JobDeleteAsync(id, cancellationToken);

    public Task<long> CleanupAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) =>
        CleanupAsync(olderThan, null, cancellationToken);

    public Task<long> CleanupAsync(TimeSpan olderThan, IProgress<long>? progress, CancellationToken cancellationToken = default)
    {
        if (olderThan < TimeSpan.Zero) throw new JobValidationException("olderThan must not be negative.", "olderThan");
        return DeleteFinishedAsync(store, olderThan, CleanupBatchSize, progress, cancellationToken);
    }

    /// <summary>
    /// The one batched delete loop (the API's and CLI's cleanup, the leader's pruner): bounded statements of
    /// <paramref name="batchSize"/> rows until one deletes fewer, so no statement holds locks for long.
    /// </summary>
    internal static async Task<long> DeleteFinishedAsync(IJobStore store, TimeSpan olderThan, int batchSize, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var deleted = await store.JobDeleteFinishedAsync(olderThan, batchSize, cancellationToken);
            total += deleted;
            progress?.Report(total);
            if (deleted < batchSize) return total;
        }
    }
}
