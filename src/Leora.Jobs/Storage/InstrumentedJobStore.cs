using System.Data.Common;
using System.Diagnostics;

namespace Leora.Jobs.Storage;

/// <summary>
/// The store as the core sees it: every call forwarded to the real store, and instrumented here, in one place
/// (STYLE.md principle 10, as Oban's instrumentation wrapper). Each call is a span named after the store method
/// (<c>JobClaim</c>, kind Client) and a measurement of <c>leora.jobs.store.duration</c>, tagged <c>db.system</c> and
/// <c>db.operation</c> (and <c>error.type</c> when it threw); the results of some calls feed the job counters
/// (<c>leora.jobs.enqueued</c>, <c>leora.jobs.rescued</c>). With no listener, a call costs one check and goes straight
/// through. Every member of <see cref="IJobStore"/> must be forwarded.
/// </summary>
internal sealed class InstrumentedJobStore(IJobStore inner) : IJobStore
{
    /// <summary>The real store.</summary>
    public IJobStore Inner => inner;

    public string Provider => inner.Provider;

    public string? Schema => inner.Schema;

    // Not a statement: the caller runs its own on this connection, so there is nothing to time here.
    public ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => inner.OpenConnectionAsync(cancellationToken);

    public Task MigrateAsync(CancellationToken cancellationToken) =>
        Call("Migrate", 0, static (s, _, ct) => s.MigrateAsync(ct), cancellationToken);

    public Task<(int Applied, int Latest)> MigrationVersionAsync(CancellationToken cancellationToken) =>
        Call("MigrationVersion", 0, static (s, _, ct) => s.MigrationVersionAsync(ct), cancellationToken);

    public Task<EnqueueResult> JobInsertAsync(JobInsertParams job, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var insert = Call("JobInsert", (job, transaction), static (s, a, ct) => s.JobInsertAsync(a.job, a.transaction, ct), cancellationToken);
        return JobsTelemetry.Enqueued.Enabled ? CountEnqueuedAsync(insert, job.Kind) : insert;

        static async Task<EnqueueResult> CountEnqueuedAsync(Task<EnqueueResult> insert, string kind)
        {
            var result = await insert;
            if (!result.Existing) JobsTelemetry.Enqueued.Add(1, new KeyValuePair<string, object?>("job.type", kind));
            return result;
        }
    }

    public Task<IReadOnlyList<EnqueueResult>> JobInsertManyAsync(IReadOnlyList<JobInsertParams> jobs, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var insert = Call("JobInsertMany", (jobs, transaction), static (s, a, ct) => s.JobInsertManyAsync(a.jobs, a.transaction, ct), cancellationToken);
        return JobsTelemetry.Enqueued.Enabled ? CountEnqueuedAsync(insert, jobs) : insert;

        static async Task<IReadOnlyList<EnqueueResult>> CountEnqueuedAsync(Task<IReadOnlyList<EnqueueResult>> insert, IReadOnlyList<JobInsertParams> jobs)
        {
            var results = await insert;
            // One measurement per run of one type (a typed EnqueueManyAsync is a single run), new rows only.
            for (var i = 0; i < results.Count;)
            {
                var kind = jobs[i].Kind;
                long added = 0;
                for (; i < results.Count && jobs[i].Kind == kind; i++)
                    if (!results[i].Existing) added++;
                JobsTelemetry.Enqueued.Add(added, new KeyValuePair<string, object?>("job.type", kind));
            }
            return results;
        }
    }

    public Task<IReadOnlyList<JobRow>> JobClaimAsync(JobClaimParams claim, CancellationToken cancellationToken) =>
        Call("JobClaim", claim, static (s, a, ct) => s.JobClaimAsync(a, ct), cancellationToken);

    public Task<bool> JobCompleteAsync(JobCompleteParams complete, CancellationToken cancellationToken) =>
        Call("JobComplete", complete, static (s, a, ct) => s.JobCompleteAsync(a, ct), cancellationToken);

    public Task<IReadOnlySet<long>> JobCompleteManyAsync(IReadOnlyList<JobCompleteParams> completes, CancellationToken cancellationToken) =>
        Call("JobCompleteMany", completes, static (s, a, ct) => s.JobCompleteManyAsync(a, ct), cancellationToken);

    public Task<bool> JobFailAsync(JobFailParams fail, CancellationToken cancellationToken) =>
        Call("JobFail", fail, static (s, a, ct) => s.JobFailAsync(a, ct), cancellationToken);

    public Task<bool> JobReleaseAsync(long id, Guid lockToken, CancellationToken cancellationToken) =>
        Call("JobRelease", (id, lockToken), static (s, a, ct) => s.JobReleaseAsync(a.id, a.lockToken, ct), cancellationToken);

    public Task<JobHeartbeatResult> JobHeartbeatAsync(long id, Guid lockToken, TimeSpan lease, CancellationToken cancellationToken) =>
        Call("JobHeartbeat", (id, lockToken, lease), static (s, a, ct) => s.JobHeartbeatAsync(a.id, a.lockToken, a.lease, ct), cancellationToken);

    public Task<IReadOnlyDictionary<long, JobHeartbeatResult>> JobHeartbeatManyAsync(IReadOnlyList<JobLease> leases, TimeSpan lease, CancellationToken cancellationToken) =>
        Call("JobHeartbeatMany", (leases, lease), static (s, a, ct) => s.JobHeartbeatManyAsync(a.leases, a.lease, ct), cancellationToken);

    public Task<bool> JobProgressAsync(JobProgressParams progress, CancellationToken cancellationToken) =>
        Call("JobProgress", progress, static (s, a, ct) => s.JobProgressAsync(a, ct), cancellationToken);

    public Task<int> JobRescueAsync(JobRescueParams rescue, CancellationToken cancellationToken)
    {
        var rescued = Call("JobRescue", rescue, static (s, a, ct) => s.JobRescueAsync(a, ct), cancellationToken);
        return JobsTelemetry.Rescued.Enabled ? CountRescuedAsync(rescued) : rescued;

        static async Task<int> CountRescuedAsync(Task<int> rescued)
        {
            var count = await rescued;
            if (count > 0) JobsTelemetry.Rescued.Add(count);
            return count;
        }
    }

    public Task<JobRow?> JobGetAsync(long id, CancellationToken cancellationToken) =>
        Call("JobGet", id, static (s, a, ct) => s.JobGetAsync(a, ct), cancellationToken);

    public Task<IReadOnlyList<JobRow>> JobListAsync(JobListParams list, CancellationToken cancellationToken) =>
        Call("JobList", list, static (s, a, ct) => s.JobListAsync(a, ct), cancellationToken);

    public Task<long> JobCountAsync(JobListParams list, CancellationToken cancellationToken) =>
        Call("JobCount", list, static (s, a, ct) => s.JobCountAsync(a, ct), cancellationToken);

    public Task<IReadOnlyList<JobGroupCounts>> JobCountByGroupAsync(bool byType, CancellationToken cancellationToken) =>
        Call("JobCountByGroup", byType, static (s, a, ct) => s.JobCountByGroupAsync(a, ct), cancellationToken);

    public Task<JobActionResult> JobRunNowAsync(long id, CancellationToken cancellationToken) =>
        Call("JobRunNow", id, static (s, a, ct) => s.JobRunNowAsync(a, ct), cancellationToken);

    public Task<IReadOnlyDictionary<JobStatus, long>> JobCountByStatusAsync(CancellationToken cancellationToken) =>
        Call("JobCountByStatus", 0, static (s, _, ct) => s.JobCountByStatusAsync(ct), cancellationToken);

    public Task<JobStats> JobStatsAsync(CancellationToken cancellationToken) =>
        Call("JobStats", 0, static (s, _, ct) => s.JobStatsAsync(ct), cancellationToken);

    public Task<IReadOnlyList<JobThroughputPoint>> JobThroughputAsync(TimeSpan window, CancellationToken cancellationToken) =>
        Call("JobThroughput", window, static (s, a, ct) => s.JobThroughputAsync(a, ct), cancellationToken);

    public Task<IReadOnlyList<JobEvent>> JobEventListAsync(long jobId, CancellationToken cancellationToken) =>
        Call("JobEventList", jobId, static (s, a, ct) => s.JobEventListAsync(a, ct), cancellationToken);

    public Task<JobHistory> JobHistoryAsync(JobHistoryRange range, CancellationToken cancellationToken) =>
        Call("JobHistory", range, static (s, a, ct) => s.JobHistoryAsync(a, ct), cancellationToken);

    public Task<JobCancelResult> JobCancelAsync(long id, CancellationToken cancellationToken) =>
        Call("JobCancel", id, static (s, a, ct) => s.JobCancelAsync(a, ct), cancellationToken);

    public Task<JobActionResult> JobRetryAsync(JobRetryParams retry, CancellationToken cancellationToken) =>
        Call("JobRetry", retry, static (s, a, ct) => s.JobRetryAsync(a, ct), cancellationToken);

    public Task<WorkflowInsertResult> WorkflowInsertAsync(WorkflowInsertParams workflow, DbTransaction? transaction, CancellationToken cancellationToken) =>
        Call("WorkflowInsert", (workflow, transaction), static (s, a, ct) => s.WorkflowInsertAsync(a.workflow, a.transaction, ct), cancellationToken);

    public Task<WorkflowInsertResult?> JobCompleteWithChildrenAsync(JobCompleteParams complete, WorkflowInsertParams children, CancellationToken cancellationToken) =>
        Call("JobCompleteWithChildren", (complete, children), static (s, a, ct) => s.JobCompleteWithChildrenAsync(a.complete, a.children, ct), cancellationToken);

    public Task<BatchRow?> BatchGetAsync(long id, CancellationToken cancellationToken) =>
        Call("BatchGet", id, static (s, a, ct) => s.BatchGetAsync(a, ct), cancellationToken);

    public Task<JobCancelResult> BatchCancelAsync(long id, CancellationToken cancellationToken) =>
        Call("BatchCancel", id, static (s, a, ct) => s.BatchCancelAsync(a, ct), cancellationToken);

    public Task<IReadOnlyList<JobRow>> BatchJobListAsync(long batchId, long? afterId, int limit, CancellationToken cancellationToken) =>
        Call("BatchJobList", (batchId, afterId, limit), static (s, a, ct) => s.BatchJobListAsync(a.batchId, a.afterId, a.limit, ct), cancellationToken);

    public Task<IReadOnlyList<BatchRow>> BatchListAsync(long? beforeId, int limit, CancellationToken cancellationToken) =>
        Call("BatchList", (beforeId, limit), static (s, a, ct) => s.BatchListAsync(a.beforeId, a.limit, ct), cancellationToken);

    public Task<(long BatchId, JobBatchRole Role)?> BatchJobGetAsync(long jobId, CancellationToken cancellationToken) =>
        Call("BatchJobGet", jobId, static (s, a, ct) => s.BatchJobGetAsync(a, ct), cancellationToken);

    public Task<IReadOnlyList<JobRow>> JobParentListAsync(long jobId, long? afterId, int limit, CancellationToken cancellationToken) =>
        Call("JobParentList", (jobId, afterId, limit), static (s, a, ct) => s.JobParentListAsync(a.jobId, a.afterId, a.limit, ct), cancellationToken);

    public Task<IReadOnlyList<JobRow>> JobDependantListAsync(long jobId, long? afterId, int limit, CancellationToken cancellationToken) =>
        Call("JobDependantList", (jobId, afterId, limit), static (s, a, ct) => s.JobDependantListAsync(a.jobId, a.afterId, a.limit, ct), cancellationToken);

    public Task<JobActionResult> JobDeleteAsync(long id, CancellationToken cancellationToken) =>
        Call("JobDelete", id, static (s, a, ct) => s.JobDeleteAsync(a, ct), cancellationToken);

    public Task<int> JobDeleteFinishedAsync(TimeSpan olderThan, int limit, CancellationToken cancellationToken) =>
        Call("JobDeleteFinished", (olderThan, limit), static (s, a, ct) => s.JobDeleteFinishedAsync(a.olderThan, a.limit, ct), cancellationToken);

    public Task<bool> ScheduleInsertAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        Call("ScheduleInsert", schedule, static (s, a, ct) => s.ScheduleInsertAsync(a, ct), cancellationToken);

    public Task<bool> ScheduleUpdateAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        Call("ScheduleUpdate", schedule, static (s, a, ct) => s.ScheduleUpdateAsync(a, ct), cancellationToken);

    public Task ScheduleUpsertAsync(ScheduleRow schedule, CancellationToken cancellationToken) =>
        Call("ScheduleUpsert", schedule, static (s, a, ct) => s.ScheduleUpsertAsync(a, ct), cancellationToken);

    public Task<ScheduleRow?> ScheduleGetAsync(string name, CancellationToken cancellationToken) =>
        Call("ScheduleGet", name, static (s, a, ct) => s.ScheduleGetAsync(a, ct), cancellationToken);

    public Task LimitSetAsync(IReadOnlyList<JobLimit> limits, string node, CancellationToken cancellationToken) =>
        Call("LimitSet", (limits, node), static (s, a, ct) => s.LimitSetAsync(a.limits, a.node, ct), cancellationToken);

    public Task<IReadOnlyList<JobLimitUsage>> LimitListAsync(CancellationToken cancellationToken) =>
        Call("LimitList", 0, static (s, _, ct) => s.LimitListAsync(ct), cancellationToken);

    public Task<IReadOnlyList<ScheduleRow>> ScheduleListAsync(CancellationToken cancellationToken) =>
        Call("ScheduleList", 0, static (s, _, ct) => s.ScheduleListAsync(ct), cancellationToken);

    public Task<bool> ScheduleDeleteAsync(string name, CancellationToken cancellationToken) =>
        Call("ScheduleDelete", name, static (s, a, ct) => s.ScheduleDeleteAsync(a, ct), cancellationToken);

    public Task<IReadOnlyList<ScheduleRow>> ScheduleDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Call("ScheduleDue", (now, limit), static (s, a, ct) => s.ScheduleDueAsync(a.now, a.limit, ct), cancellationToken);

    public Task<IReadOnlySet<string>> ScheduleAdvanceManyAsync(IReadOnlyList<ScheduleAdvanceParams> advances, DbTransaction transaction, CancellationToken cancellationToken) =>
        Call("ScheduleAdvanceMany", (advances, transaction), static (s, a, ct) => s.ScheduleAdvanceManyAsync(a.advances, a.transaction, ct), cancellationToken);

    public Task ScheduleSetLastJobAsync(string name, long jobId, DbTransaction transaction, CancellationToken cancellationToken) =>
        Call("ScheduleSetLastJob", (name, jobId, transaction), static (s, a, ct) => s.ScheduleSetLastJobAsync(a.name, a.jobId, a.transaction, ct), cancellationToken);

    public Task ScheduleSetLastJobManyAsync(IReadOnlyList<ScheduleLastJobParams> lastJobs, DbTransaction transaction, CancellationToken cancellationToken) =>
        Call("ScheduleSetLastJobMany", (lastJobs, transaction), static (s, a, ct) => s.ScheduleSetLastJobManyAsync(a.lastJobs, a.transaction, ct), cancellationToken);

    public Task<JobPause> PauseInsertAsync(JobPauseScope scope, string name, CancellationToken cancellationToken) =>
        Call("PauseInsert", (scope, name), static (s, a, ct) => s.PauseInsertAsync(a.scope, a.name, ct), cancellationToken);

    public Task<bool> PauseDeleteAsync(JobPauseScope scope, string name, CancellationToken cancellationToken) =>
        Call("PauseDelete", (scope, name), static (s, a, ct) => s.PauseDeleteAsync(a.scope, a.name, ct), cancellationToken);

    public Task<IReadOnlyList<JobPause>> PauseListAsync(CancellationToken cancellationToken) =>
        Call("PauseList", 0, static (s, _, ct) => s.PauseListAsync(ct), cancellationToken);

    public Task NodeHeartbeatAsync(NodeHeartbeatParams node, CancellationToken cancellationToken) =>
        Call("NodeHeartbeat", node, static (s, a, ct) => s.NodeHeartbeatAsync(a, ct), cancellationToken);

    public Task NodeDeleteAsync(string name, CancellationToken cancellationToken) =>
        Call("NodeDelete", name, static (s, a, ct) => s.NodeDeleteAsync(a, ct), cancellationToken);

    public Task<int> NodeDeleteStaleAsync(TimeSpan olderThan, CancellationToken cancellationToken) =>
        Call("NodeDeleteStale", olderThan, static (s, a, ct) => s.NodeDeleteStaleAsync(a, ct), cancellationToken);

    public Task<IReadOnlyList<NodeRow>> NodeListAsync(CancellationToken cancellationToken) =>
        Call("NodeList", 0, static (s, _, ct) => s.NodeListAsync(ct), cancellationToken);

    public Task<bool> LeaderElectAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken) =>
        Call("LeaderElect", (holder, ttl), static (s, a, ct) => s.LeaderElectAsync(a.holder, a.ttl, ct), cancellationToken);

    public Task LeaderResignAsync(string holder, CancellationToken cancellationToken) =>
        Call("LeaderResign", holder, static (s, a, ct) => s.LeaderResignAsync(a, ct), cancellationToken);

    public Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken) =>
        Call("Now", 0, static (s, _, ct) => s.NowAsync(ct), cancellationToken);

    // Not a statement (a file system call on SQLite, nothing on PostgreSQL): nothing to time.
    public Task<long?> StorageAvailableBytesAsync(CancellationToken cancellationToken) => inner.StorageAvailableBytesAsync(cancellationToken);

    private static bool Listened => JobsTelemetry.StoreDuration.Enabled || JobsTelemetry.Source.HasListeners();

    private Task<T> Call<TArgs, T>(string operation, TArgs args, Func<IJobStore, TArgs, CancellationToken, Task<T>> call, CancellationToken ct) =>
        Listened ? MeasuredAsync(operation, args, call, ct) : call(inner, args, ct);

    private Task Call<TArgs>(string operation, TArgs args, Func<IJobStore, TArgs, CancellationToken, Task> call, CancellationToken ct) =>
        Listened ? MeasuredAsync(operation, args, call, ct) : call(inner, args, ct);

    private async Task<T> MeasuredAsync<TArgs, T>(string operation, TArgs args, Func<IJobStore, TArgs, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        using var activity = Start(operation);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call(inner, args, ct);
            Stop(operation, started, activity, null);
            return result;
        }
        catch (Exception ex)
        {
            Stop(operation, started, activity, ex);
            throw;
        }
    }

    private async Task MeasuredAsync<TArgs>(string operation, TArgs args, Func<IJobStore, TArgs, CancellationToken, Task> call, CancellationToken ct)
    {
        using var activity = Start(operation);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await call(inner, args, ct);
            Stop(operation, started, activity, null);
        }
        catch (Exception ex)
        {
            Stop(operation, started, activity, ex);
            throw;
        }
    }

    private Activity? Start(string operation)
    {
        var activity = JobsTelemetry.Source.StartActivity(operation, ActivityKind.Client);
        activity?.SetTag("db.system", inner.Provider);
        activity?.SetTag("db.operation", operation);
        return activity;
    }

    private void Stop(string operation, long started, Activity? activity, Exception? error)
    {
        var tags = new TagList { { "db.system", inner.Provider }, { "db.operation", operation } };
        if (error is not null)
        {
            var type = error.GetType().FullName;
            tags.Add("error.type", type);
            activity?.SetTag("error.type", type);
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
        }
        JobsTelemetry.StoreDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }
}
