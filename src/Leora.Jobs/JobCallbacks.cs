using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>How a callback of a deferred attempt ended.</summary>
internal enum JobCallbackStatus
{
    /// <summary>Written.</summary>
    Done,
    /// <summary>There is no such job.</summary>
    NotFound,
    /// <summary>The token was not issued for this job and attempt.</summary>
    Unauthorized,
    /// <summary>The attempt no longer holds its job (lease lost, rescued, finished, cancelled): nothing was written.</summary>
    NotCurrent,
}

/// <summary>The answer to a callback: its status and, unless done, why, in the API's words.</summary>
internal sealed record JobCallbackAnswer(JobCallbackStatus Status, string? Message = null);

/// <summary>
/// The writes a deferred attempt's endpoint makes through its callback routes (an HTTP job type's 202,
/// docs/http-job-types.md): progress (which also extends the lease by the type's completion timeout), completion and failure.
/// Each is authenticated by the attempt's token (<see cref="JobCallbackToken"/>) and fenced by the lock token inside it, as
/// every worker write is (DESIGN.md invariant 2): after the lease was lost nothing is written.
/// </summary>
internal sealed class JobCallbacks(IJobStore store, JobTypeRegistry registry, IOptions<JobsOptions> options, TimeProvider time, ILogger<JobCallbacks> logger)
{
    private const string Worker = "callback";

    public async Task<JobCallbackAnswer> ProgressAsync(long id, int attempt, string? token, int percent, string? message, CancellationToken ct)
    {
        var (answer, held) = await AuthenticateAsync(id, attempt, token, ct);
        if (held is not { } h) return answer;
        if (!await store.JobProgressAsync(new JobProgressParams(id, h.LockToken, Math.Clamp(percent, 0, 100), message is null ? null : StoredText.Storable(message)), ct))
            return NotCurrent(id, attempt);
        switch (await store.JobHeartbeatAsync(id, h.LockToken, h.Deferral.CompletionTimeout, ct))
        {
            case JobHeartbeatResult.Lost:
                return NotCurrent(id, attempt);
            case JobHeartbeatResult.CancelRequested:
                // No worker heartbeats a deferred attempt, so its endpoint is the one to learn of a cancel request: the job is
                // cancelled now, and the endpoint told to stop.
                await store.JobFailAsync(new JobFailParams(id, h.LockToken, ErrorJson(attempt, "Cancelled on request.", "Cancelled"), null, JobStatus.Cancelled), ct);
                Log.JobCancelled(logger, id, h.Row.Kind);
                return new JobCallbackAnswer(JobCallbackStatus.NotCurrent, $"Job {id} was cancelled on request; stop working on it.");
            default:
                return new JobCallbackAnswer(JobCallbackStatus.Done);
        }
    }

    public async Task<JobCallbackAnswer> CompleteAsync(long id, int attempt, string? token, string? resultJson, CancellationToken ct)
    {
        var (answer, held) = await AuthenticateAsync(id, attempt, token, ct);
        if (held is not { } h) return answer;
        if (!await store.JobCompleteAsync(new JobCompleteParams(id, h.LockToken, resultJson is null ? null : StoredText.StorableJson(resultJson)), ct))
            return NotCurrent(id, attempt);
        Log.JobCallbackCompleted(logger, id, h.Row.Kind, attempt);
        return new JobCallbackAnswer(JobCallbackStatus.Done);
    }

    public async Task<JobCallbackAnswer> FailAsync(long id, int attempt, string? token, string error, bool retry, CancellationToken ct)
    {
        var (answer, held) = await AuthenticateAsync(id, attempt, token, ct);
        if (held is not { } h) return answer;
        var row = h.Row;
        TimeSpan? delay = null;
        if (retry && row.Attempts < row.MaxAttempts)
        {
            var type = h.Type;
            delay = (type.Options.Backoff ?? options.Value.Backoff ?? Backoff.Exponential)(row.Attempts);
            if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        }
        var errorJson = ErrorJson(attempt, error, retry ? "EndpointRetry" : "EndpointFailure");
        if (!await store.JobFailAsync(new JobFailParams(id, h.LockToken, errorJson, delay), ct))
            return NotCurrent(id, attempt);
        Log.JobCallbackFailed(logger, id, row.Kind, attempt, delay is { } d ? $"retrying in {d}" : "failed for good");
        return new JobCallbackAnswer(JobCallbackStatus.Done);
    }

    private sealed record Held(JobRow Row, JobTypeDescriptor Type, JobDeferral Deferral, Guid LockToken);

    private async Task<(JobCallbackAnswer Answer, Held? Held)> AuthenticateAsync(long id, int attempt, string? token, CancellationToken ct)
    {
        var row = await store.JobGetAsync(id, ct);
        if (row is null) return (new JobCallbackAnswer(JobCallbackStatus.NotFound, $"There is no job {id}."), null);
        // The type's key judges the token: a job whose type is not (or no longer) an HTTP job type has no valid token.
        if (!registry.TryGet(row.Kind, out var type) || type.Deferral is not { } deferral
            || !JobCallbackToken.TryRead(deferral.TokenKey, id, attempt, token, out var lockToken))
        {
            Log.JobCallbackUnauthorized(logger, id, attempt);
            return (new JobCallbackAnswer(JobCallbackStatus.Unauthorized,
                "The token is not valid for this job and attempt: send the callback's token as Authorization: Bearer <token>."), null);
        }
        // The store fences each write with the lock token anyway; this answers the common case without a write.
        if (row.Status != JobStatus.Processing || row.LockToken != lockToken) return (NotCurrent(id, attempt), null);
        return (new JobCallbackAnswer(JobCallbackStatus.Done), new Held(row, type, deferral, lockToken));
    }

    private JobCallbackAnswer NotCurrent(long id, int attempt)
    {
        Log.JobCallbackConflict(logger, id, attempt);
        return new JobCallbackAnswer(JobCallbackStatus.NotCurrent,
            $"Attempt {attempt} of job {id} no longer holds the job (its lease ran out and it was retried, or the job finished or was cancelled); nothing was written.");
    }

    private string ErrorJson(int attempt, string message, string type) =>
        JsonSerializer.Serialize(new JobAttemptError(attempt, StoredText.Storable(message), type, null, time.GetUtcNow(), Worker), JobJson.Options);
}
