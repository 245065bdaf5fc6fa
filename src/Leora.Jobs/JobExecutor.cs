using System.Diagnostics;
using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// Runs one claimed job: resolves its handler in a fresh scope, keeps its lease alive (the node's batched heartbeat,
/// <see cref="JobHeartbeats"/>), and writes exactly one outcome fenced by the claim's lock token (DESIGN.md invariant 2).
/// </summary>
internal sealed class JobExecutor(
    IJobStore store,
    JobTypeRegistry registry,
    IServiceScopeFactory scopes,
    RunningJobs running,
    JobHeartbeats heartbeats,
    JobCompleter completer,
    JobClient client,
    JobSignal signal,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<JobExecutor> logger)
{
    private readonly JobsOptions _options = options.Value;

    /// <summary>
    /// The types this executor has handlers for: workers and batches claim only these, so a job of a type this process
    /// does not know stays pending, with no attempt used, for a process that knows it (a rolling deploy, an app's own types).
    /// </summary>
    public IReadOnlyList<string> Kinds => registry.Kinds;

    /// <summary>Runs the attempt. <paramref name="shutdown"/> fires when the worker must stop: the job is handed back.</summary>
    public Task<JobRunReport> RunAsync(JobRow row, CancellationToken shutdown) => RunAsync(row, shutdown, null);

    /// <summary>
    /// Runs the attempt; <paramref name="waited"/> carries what a batch's heartbeat learned while the job waited to start.
    /// <paramref name="handlerReturned"/>, when given, is called on the handler's own flow as soon as the handler has
    /// returned, before the outcome is written: the caller's slot (a batch's, a producer's) is free then, while the outcome
    /// joins the next group commit.
    /// </summary>
    public async Task<JobRunReport> RunAsync(JobRow row, CancellationToken shutdown, WaitingJob? waited, Action? handlerReturned = null)
    {
        using var activity = JobsTelemetry.StartAttempt(row);
        using var attempt = new JobAttempt(row, store, shutdown) { CheckChild = client.Untyped };
        running.Add(attempt);
        heartbeats.EnsureStarted();
        if (waited is { CancelRequested: true }) attempt.MarkCancelRequested();
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        JobTypeDescriptor? type = null;
        try
        {
            if (!registry.TryGet(row.Kind, out type))
                throw new PermanentJobException($"No handler for job type '{row.Kind}' is registered on worker {_options.EffectiveWorkerName}.");
            attempt.StartTimeout(type.Options.Timeout, time);
            await using var scope = scopes.CreateAsyncScope();
            await type.Invoke(scope.ServiceProvider, attempt, attempt.Token);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        handlerReturned?.Invoke();

        var durationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            var report = await WriteOutcomeAsync(attempt, type, error, durationMs);
            JobsTelemetry.RecordAttempt(report, activity);
            return report;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The outcome could not be written (database down): the lease will expire and the job will be
            // rescued and run again, which is the at-least-once promise.
            Log.OutcomeWriteFailed(logger, ex, row.Id);
            var report = new JobRunReport(row.Id, row.Kind, JobOutcome.LeaseLost, durationMs, ex.Message);
            JobsTelemetry.RecordAttempt(report, activity);
            return report;
        }
        finally
        {
            // Held (and heartbeated) until its outcome is written, not just until its handler returns: a completion
            // queued behind a slow group commit must not see its lease run out and the job rescued and run twice.
            running.Remove(attempt);
        }
    }

    private async Task<JobRunReport> WriteOutcomeAsync(JobAttempt attempt, JobTypeDescriptor? type, Exception? error, double durationMs)
    {
        var row = attempt.Row;
        JobRunReport Report(JobOutcome outcome, string? message = null) => new(row.Id, row.Kind, outcome, durationMs, message);

        // Outcome writes are not cancelled by shutdown: a finished handler's result must not be thrown away.
        var ct = CancellationToken.None;
        if (attempt.LeaseLost)
        {
            Log.JobLeaseLost(logger, row.Id, row.Kind);
            return Report(JobOutcome.LeaseLost, "The lease was lost; the job was rescued by another worker.");
        }

        if (error is null && attempt.DeferredFor is { } deferral)
        {
            // The endpoint took the work (202) and reports through the callback API: no outcome is written here. The lease,
            // still fenced by this claim's token, now lasts the completion timeout, during which no worker heartbeats it;
            // when it runs out the rescue retries the job and this attempt's token can write nothing more. A callback that
            // already finished the attempt leaves nothing to extend: the outcome is written, the slot is free all the same.
            var extended = await store.JobHeartbeatAsync(row.Id, attempt.LockToken, deferral, ct);
            if (extended == JobHeartbeatResult.Lost) return Report(JobOutcome.Deferred, "The attempt was reported before it was deferred.");
            Log.JobDeferred(logger, row.Id, row.Kind, row.Attempts, deferral);
            return Report(JobOutcome.Deferred);
        }

        // The handler's children (docs/workflows.md) are planned before the outcome: children that cannot be enqueued (a
        // cycle among them) fail the attempt as its own error would.
        WorkflowInsertParams? children = null;
        if (error is null && attempt.Children is { Count: > 0 } entries)
        {
            try
            {
                children = WorkflowPlanner.Plan(entries, client.Untyped).Insert;
            }
            catch (Exception ex) when (ex is JobValidationException or UnknownJobTypeException)
            {
                error = ex;
            }
        }

        if (error is null)
        {
            var complete = new JobCompleteParams(row.Id, attempt.LockToken, attempt.ResultJson);
            if (children is not null)
            {
                // One transaction: the children exist if and only if this completion was written.
                if (await store.JobCompleteWithChildrenAsync(complete, children, ct) is null) return LeaseLost();
                signal.Notify();
            }
            else if (!await completer.CompleteAsync(complete))
                return LeaseLost();
            Log.JobCompleted(logger, row.Id, row.Kind, durationMs);
            return Report(JobOutcome.Completed);
        }

        if (attempt.CancelRequested && !attempt.TimedOut)
        {
            var cancelled = ErrorJson(row, "Cancelled on request.", "Cancelled", null);
            if (!await store.JobFailAsync(new JobFailParams(row.Id, attempt.LockToken, cancelled, null, JobStatus.Cancelled), ct))
                return LeaseLost();
            Log.JobCancelled(logger, row.Id, row.Kind);
            return Report(JobOutcome.Cancelled, "Cancelled on request.");
        }

        if (attempt.Shutdown.IsCancellationRequested && !attempt.TimedOut && error is OperationCanceledException)
        {
            if (!await store.JobReleaseAsync(row.Id, attempt.LockToken, ct))
                return LeaseLost();
            Log.JobReleased(logger, row.Id, row.Kind);
            return Report(JobOutcome.Released, "The worker stopped; the job was handed back.");
        }

        var message = attempt.TimedOut
            ? $"Timed out after {type!.Options.Timeout!.Value.TotalSeconds:0.###} s."
            : error.Message;
        var typeName = attempt.TimedOut ? "Timeout" : error.GetType().FullName ?? error.GetType().Name;
        var errorJson = ErrorJson(row, message, typeName, error.ToString());

        var permanent = error is PermanentJobException || row.Attempts >= row.MaxAttempts;
        if (permanent)
        {
            if (!await store.JobFailAsync(new JobFailParams(row.Id, attempt.LockToken, errorJson, null), ct))
                return LeaseLost();
            Log.JobFailed(logger, error, row.Id, row.Kind, row.Attempts);
            return Report(JobOutcome.Failed, message);
        }

        var delay = (error as RetryJobException)?.RetryAfter
            ?? (type?.Options.Backoff ?? _options.Backoff ?? Backoff.Exponential)(row.Attempts);
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        if (!await store.JobFailAsync(new JobFailParams(row.Id, attempt.LockToken, errorJson, delay), ct))
            return LeaseLost();
        Log.JobRetrying(logger, error, row.Id, row.Kind, row.Attempts, delay);
        return Report(JobOutcome.Retried, message);

        JobRunReport LeaseLost()
        {
            Log.JobLeaseLost(logger, row.Id, row.Kind);
            return Report(JobOutcome.LeaseLost, "The lease was lost; the job was rescued by another worker.");
        }
    }

    private string ErrorJson(JobRow row, string message, string type, string? stackTrace) =>
        JsonSerializer.Serialize(
            new JobAttemptError(row.Attempts, StoredText.Storable(message), type,
                stackTrace is null ? null : StoredText.Storable(stackTrace), time.GetUtcNow(), _options.EffectiveWorkerName),
            JobJson.Options);
}
