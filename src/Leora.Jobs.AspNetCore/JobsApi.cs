using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

/// <summary>The handlers of the jobs HTTP API. Every error is a problem+json response; none of them writes anything.</summary>
internal static partial class JobsApi
{
    private const int MaxBatch = 1000;
    private const double MaxSecondsLimit = 3600;

    public static async Task<Results<Ok<BatchResponse>, ValidationProblem>> ProcessAsync(
        int? maxJobs, double? maxSeconds, string? queue,
        IJobProcessor processor, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var jobs = maxJobs ?? 10;
        if (jobs is < 1 or > MaxBatch) return Invalid("maxJobs", $"maxJobs must be 1–{MaxBatch} (was {jobs}).");
        if (maxSeconds is { } s && (double.IsNaN(s) || s <= 0 || s > MaxSecondsLimit))
            return Invalid("maxSeconds", $"maxSeconds must be more than 0 and at most {MaxSecondsLimit}.");
        if (queue is not null && string.IsNullOrWhiteSpace(queue)) return Invalid("queue", "queue must not be empty.");
        try
        {
            var result = await processor.ProcessBatchAsync(new BatchOptions
            {
                MaxJobs = jobs,
                MaxDuration = maxSeconds is { } sec ? TimeSpan.FromSeconds(sec) : null,
                Queue = queue,
            }, cancellationToken);
            Log.BatchProcessed(loggers.CreateLogger("Leora.Jobs.AspNetCore.JobsApi"), result.Processed, result.Succeeded, result.Failed, result.Retried, Math.Round(result.DurationMs, 1));
            return TypedResults.Ok(BatchResponse.From(result));
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex.Field ?? "query", ex.Message);
        }
    }

    public static async Task<Results<Ok<QueueStatusResponse>, ValidationProblem>> QueueStatusAsync(
        int? limit, IJobClient client, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var max = options.CurrentValue.MaxPendingListed;
        var n = limit ?? Math.Min(50, max);
        if (n < 1 || n > max) return Invalid("limit", $"limit must be 1–{max}.");
        var stats = await client.StatsAsync(cancellationToken);
        var due = await client.ListAsync(new JobQuery { Status = JobStatus.Pending, Scheduled = false, NewestFirst = false, Limit = n }, cancellationToken);
        return TypedResults.Ok(new QueueStatusResponse(
            stats.DuePending,
            stats.Scheduled,
            stats.ByStatus.GetValueOrDefault(JobStatus.Processing),
            stats.OldestDuePendingAge is { } age ? Math.Round(age.TotalSeconds, 3) : null,
            [.. due.Items.Select(JobResponse.From)]));
    }

    public static async Task<Results<Created<JobResponse>, Ok<JobResponse>, ValidationProblem, ProblemHttpResult>> EnqueueAsync(
        HttpContext http, IJobClient client, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var request = http.Request;
        if (!request.HasJsonContentType())
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the job as JSON with Content-Type: application/json.");
        var limit = options.CurrentValue.MaxRequestBodyBytes;
        if (await RequestBody.ReadAsync(request, limit, cancellationToken) is not { } body) return TooLarge(limit);

        // One pass over the body: the request, its payload element included, is read straight from the bytes. Only a
        // body that fails to bind is parsed once more, to tell malformed JSON (or not an object) from a bad field.
        EnqueueRequest? job;
        try
        {
            job = JsonSerializer.Deserialize<EnqueueRequest>(body, ApiJson.Options);
        }
        catch (JsonException ex)
        {
            if (Malformed(body) is { } malformed) return malformed;
            var (field, message) = ApiErrorText.Describe(ex);
            return Invalid(field, message);
        }
        // A JSON null binds to no request; it is valid JSON but not an object.
        if (job is null) return Malformed(body) ?? Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body is empty.");
        if (job.DelaySeconds is { } d && (double.IsNaN(d) || d < 0))
            return Invalid("delaySeconds", "delaySeconds must be zero or more.");
        // Past what a TimeSpan holds (1e999999 reads as infinity) is past the latest time a job may run too; the client
        // checks the delays a TimeSpan can hold against that time.
        if (job.DelaySeconds > TimeSpan.MaxValue.TotalSeconds / 2) return Invalid("delaySeconds", JobClient.DelayTooLarge);

        EnqueueResult result;
        try
        {
            result = await client.EnqueueAsync(job.Type, job.Payload, Options(job), cancellationToken);
        }
        catch (UnknownJobTypeException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Unknown job type",
                extensions: new Dictionary<string, object?> { ["knownTypes"] = ex.KnownTypes });
        }
        catch (JobValidationException ex) when (ex.Errors is { Count: > 0 } errors)
        {
            // A payload checked against a JSON schema (an HTTP job type): every field at fault, each with its messages.
            return TypedResults.ValidationProblem(errors, detail: ex.Message, title: "Invalid request");
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex.Field ?? "payload", ex.Message);
        }

        // The reply is the job as the insert itself answered (or as its idempotency key found it): no second read.
        var info = JobResponse.From(result.ToJobInfo()
            ?? throw new InvalidOperationException($"The store answered the enqueue of job {result.Id} without its row."));
        if (result.Existing) return TypedResults.Ok(info);
        var location = $"{request.PathBase}{request.Path.Value?.TrimEnd('/')}/{result.Id}";
        return TypedResults.Created(location, info);
    }

    public static async Task<Results<Ok<JobListResponse>, ValidationProblem>> ListAsync(
        string? status, string? type, string? queue, int? limit, string? cursor, string? payload, DateTimeOffset? createdFrom, DateTimeOffset? createdTo,
        DateTimeOffset? finishedFrom, DateTimeOffset? finishedTo, IJobClient client, CancellationToken cancellationToken)
    {
        JobStatus? parsed = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!JobNames.TryParseStatus(status, out var s))
                return Invalid("status", $"status '{status}' is not one of pending, processing, completed, failed, cancelled, waiting.");
            parsed = s;
        }
        try
        {
            var page = await client.ListAsync(new JobQuery
            {
                Status = parsed,
                Type = string.IsNullOrEmpty(type) ? null : type,
                Queue = string.IsNullOrEmpty(queue) ? null : queue,
                Limit = limit ?? 50,
                Cursor = string.IsNullOrEmpty(cursor) ? null : cursor,
                PayloadContains = string.IsNullOrEmpty(payload) ? null : payload,
                CreatedFrom = createdFrom,
                CreatedTo = createdTo,
                FinishedFrom = finishedFrom,
                FinishedTo = finishedTo,
            }, cancellationToken);
            return TypedResults.Ok(new JobListResponse([.. page.Items.Select(JobResponse.From)], page.NextCursor));
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex.Field ?? "query", ex.Message);
        }
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetAsync(long id, IJobClient client, CancellationToken cancellationToken) =>
        await client.GetAsync(id, cancellationToken) is { } job ? TypedResults.Ok(JobResponse.From(job)) : NotFound(id);

    public static async Task<Results<Ok<JobTimelineResponse>, ProblemHttpResult>> TimelineAsync(long id, IJobClient client, CancellationToken cancellationToken) =>
        await client.TimelineAsync(id, cancellationToken) is { } events ? TypedResults.Ok(new JobTimelineResponse(id, events)) : NotFound(id);

    public static async Task<Results<Ok<JobHistoryResponse>, ValidationProblem>> HistoryAsync(string? range, IJobClient client, CancellationToken cancellationToken)
    {
        JobHistoryRange? parsed = range switch
        {
            null or "" or "hour" => JobHistoryRange.Hour,
            "day" => JobHistoryRange.Day,
            "week" => JobHistoryRange.Week,
            _ => null,
        };
        if (parsed is not { } r) return Invalid("range", "range must be hour, day or week.");
        return TypedResults.Ok(JobHistoryResponse.From(await client.HistoryAsync(r, cancellationToken)));
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> CancelAsync(long id, IJobClient client, CancellationToken cancellationToken)
    {
        switch (await client.CancelAsync(id, cancellationToken))
        {
            case JobCancelResult.NotFound: return NotFound(id);
            case JobCancelResult.AlreadyFinished:
                var finished = await client.GetAsync(id, cancellationToken);
                return Conflict($"Job {id} has already finished ({finished?.Status.ToName() ?? "deleted"}); there is nothing to cancel.");
            default:
                return await GetAsync(id, client, cancellationToken);
        }
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> RetryAsync(long id, IJobClient client, CancellationToken cancellationToken)
    {
        switch (await client.RetryAsync(id, cancellationToken))
        {
            case JobActionResult.NotFound: return NotFound(id);
            case JobActionResult.Conflict:
                return Conflict(JobClient.RetryRefusal(id, await client.GetAsync(id, cancellationToken)));
            default:
                return await GetAsync(id, client, cancellationToken);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, IJobClient client, CancellationToken cancellationToken) =>
        await client.DeleteAsync(id, cancellationToken) switch
        {
            JobActionResult.NotFound => NotFound(id),
            JobActionResult.Conflict => Conflict($"Job {id} is running; cancel it first, then delete it."),
            _ => TypedResults.NoContent(),
        };

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> RunNowAsync(long id, IJobClient client, CancellationToken cancellationToken)
    {
        switch (await client.RunNowAsync(id, cancellationToken))
        {
            case JobActionResult.NotFound: return NotFound(id);
            case JobActionResult.Conflict:
                var job = await client.GetAsync(id, cancellationToken);
                return Conflict(job is null ? $"Job {id} is gone."
                    : job.Status == JobStatus.Pending ? $"Job {id} is due already."
                    : $"Job {id} is {job.Status.ToName()}; only a pending job that waits (scheduled, or retrying) can be run now.");
            default:
                return await GetAsync(id, client, cancellationToken);
        }
    }

    /// <summary>One action on many jobs, by ids or by a filter (issue 19; <see cref="JobBulk"/>).</summary>
    public static async Task<Results<Ok<BulkResponse>, ValidationProblem, ProblemHttpResult>> BulkAsync(
        HttpContext http, IJobClient client, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var request = http.Request;
        if (!request.HasJsonContentType())
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the request as JSON with Content-Type: application/json.");
        var limit = options.CurrentValue.MaxRequestBodyBytes;
        if (await RequestBody.ReadAsync(request, limit, cancellationToken) is not { } body) return TooLarge(limit);
        BulkRequest? bulk;
        try
        {
            bulk = JsonSerializer.Deserialize<BulkRequest>(body, ApiJson.Options);
        }
        catch (JsonException ex)
        {
            if (Malformed(body) is { } malformed) return malformed;
            var (field, message) = ApiErrorText.Describe(ex);
            return Invalid(field, message);
        }
        if (bulk is null) return Malformed(body) ?? Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body is empty.");
        if (JobBulk.Validate(bulk) is { } bad) return Invalid(bad.Field, bad.Message);
        try
        {
            return TypedResults.Ok(await JobBulk.RunAsync(client, bulk, cancellationToken));
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex.Field ?? "body", ex.Message);
        }
    }

    public static async Task<Results<Ok<CleanupResponse>, ValidationProblem>> CleanupAsync(
        double? olderThanDays, IJobClient client, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var days = olderThanDays ?? options.CurrentValue.DefaultCleanupAge.TotalDays;
        if (double.IsNaN(days) || days < 0 || days > 36500) return Invalid("olderThanDays", "olderThanDays must be 0–36500.");
        var deleted = await client.CleanupAsync(TimeSpan.FromDays(days), cancellationToken);
        return TypedResults.Ok(new CleanupResponse(deleted, days));
    }

    public static async Task<Ok<StatsResponse>> StatsAsync(IJobClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok(StatsResponse.From(await client.StatsAsync(cancellationToken)));

    public static Ok<HealthResponse> Live() => TypedResults.Ok(new HealthResponse("ok") { Version = LeoraJobsVersion.Informational });

    /// <summary>
    /// Ready when the database answers, is migrated and has room to grow (<see cref="JobStoreSpace"/>) and, where this process
    /// runs a worker, the worker's loops reach the database too (<see cref="JobNodeState.DatabaseAvailable"/>). Otherwise 503
    /// naming each check that failed, with a <c>checks</c> member (<c>database</c>: ok, unreachable, not-migrated or
    /// disk-full; <c>worker</c>: ok or unavailable, when one runs).
    /// </summary>
    public static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> ReadyAsync(
        IJobClient client, JobNodeState node, JobStoreSpace space, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("Leora.Jobs.AspNetCore.Health");
        var problems = new List<string>();
        var checks = new Dictionary<string, string>(StringComparer.Ordinal);
        int applied = 0;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var version = await client.SchemaVersionAsync(timeout.Token);
            (applied, var latest) = (version.Applied, version.Latest);
            if (applied < latest)
            {
                checks["database"] = "not-migrated";
                problems.Add($"The {client.Provider} database is at schema version {applied} of {latest}: migrations are not applied (run 'leora-jobs migrate').");
            }
            else if (await space.IsFullAsync(timeout.Token))
            {
                checks["database"] = "disk-full";
                problems.Add(DiskFull(client.Provider));
                Log.NotReady(logger, "the jobs database's disk is full", null);
            }
            else
            {
                checks["database"] = "ok";
            }
        }
        catch (JobStoreFullException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Reads need space too at times (a new WAL index): the database answers no longer, and the disk is why.
            Log.NotReady(logger, "the jobs database's disk is full", ex);
            checks["database"] = "disk-full";
            problems.Add(DiskFull(client.Provider));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.NotReady(logger, "the job store is not reachable", ex);
            checks["database"] = "unreachable";
            problems.Add($"The {client.Provider} database is not reachable.");
        }
        if (node.HasWorker)
        {
            // The worker's own view: its claim loops failed and are backing off. It can differ from the check above (a
            // statement the worker needs fails while the migrations table answers), and it lags it on recovery until the
            // worker's next claim succeeds; either way this process is not doing its work, so it is not ready. The endpoint
            // is anonymous, so the node's name (host and pid) is not given.
            var available = node.DatabaseAvailable;
            checks["worker"] = available ? "ok" : "unavailable";
            if (!available)
                problems.Add($"The job worker in this process cannot reach the {client.Provider} database: it has stopped claiming jobs and retries with backoff.");
        }
        if (problems.Count == 0) return TypedResults.Ok(new HealthResponse("ready", client.Provider, applied) { Version = LeoraJobsVersion.Informational });
        return TypedResults.Problem(string.Join(" ", problems), statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready",
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["checks"] = checks });
    }

    private static string DiskFull(string provider) =>
        $"The {provider} database's disk is full: new jobs and job outcomes cannot be stored. Free space on the volume that holds it.";

    /// <summary>The answer for a body that is not valid JSON, or not a JSON object; null for a well-formed object.</summary>
    private static ProblemHttpResult? Malformed(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? null
                : Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", $"The body is not valid JSON: {ApiErrorText.FirstSentence(ex.Message)}");
        }
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "Invalid request");

    private static ProblemHttpResult NotFound(long id) =>
        Problem(StatusCodes.Status404NotFound, "Not found", $"There is no job {id}.");

    private static ProblemHttpResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    private static ProblemHttpResult TooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body is larger than {limit} bytes (Jobs:Api:MaxRequestBodyBytes).");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

}
