using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

// POST /api/jobs/bulk: up to 1,000 jobs in one request, validated all or nothing, written in one store round trip.
internal static partial class JobsApi
{
    /// <summary>The most jobs one bulk request may carry.</summary>
    internal const int MaxBulkJobs = 1000;

    /// <summary>
    /// The options of one enqueue request, single or bulk. A delay no TimeSpan holds (negative, NaN, past the latest run time)
    /// becomes one the client refuses naming <c>delaySeconds</c>; the single enqueue refuses those itself first.
    /// </summary>
    private static EnqueueOptions Options(EnqueueRequest job) => new()
    {
        Priority = job.Priority,
        RunAt = job.RunAt,
        Delay = job.DelaySeconds switch
        {
            null => null,
            var d when double.IsNaN(d.Value) || d < 0 => TimeSpan.FromSeconds(-1),
            var d when d > TimeSpan.MaxValue.TotalSeconds / 2 => TimeSpan.MaxValue,
            var d => TimeSpan.FromSeconds(d.Value),
        },
        MaxAttempts = job.MaxAttempts,
        Queue = job.Queue,
        IdempotencyKey = job.IdempotencyKey,
        ConcurrencyKey = job.ConcurrencyKey,
        DependsOn = job.DependsOn,
        OnParentFailure = job.OnParentFailure ?? ParentFailurePolicy.Cancel,
        BatchId = job.BatchId,
    };

    public static async Task<Results<Ok<BulkEnqueueResponse>, ValidationProblem, ProblemHttpResult>> EnqueueBulkAsync(
        HttpContext http, IJobClient client, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var request = http.Request;
        if (!request.HasJsonContentType())
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the jobs as JSON with Content-Type: application/json.");
        var limit = options.CurrentValue.MaxBulkRequestBodyBytes;
        if (await RequestBody.ReadAsync(request, limit, cancellationToken) is not { } body)
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body is larger than {limit} bytes (Jobs:Api:MaxBulkRequestBodyBytes).");

        BulkEnqueueRequest? bulk;
        try
        {
            bulk = JsonSerializer.Deserialize<BulkEnqueueRequest>(body, ApiJson.Options);
        }
        catch (JsonException ex)
        {
            if (Malformed(body) is { } malformed) return malformed;
            var (field, message) = ApiErrorText.Describe(ex);
            return Invalid(field, message);
        }
        if (bulk is null) return Malformed(body) ?? Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body is empty.");
        if (bulk.Jobs is not { Count: > 0 and <= MaxBulkJobs } jobs)
            return Invalid("jobs", $"jobs must hold 1–{MaxBulkJobs} jobs (was {bulk.Jobs?.Count ?? 0}); send more in further requests.");

        // Every job goes to the client's validation, which names all the invalid ones at once.
        var requests = new JobRequest[jobs.Count];
        for (var i = 0; i < jobs.Count; i++)
        {
            if (jobs[i] is not { } job) continue;
            requests[i] = new JobRequest(job.Type, job.Payload, Options(job));
        }

        IReadOnlyList<EnqueueResult> results;
        try
        {
            results = await client.EnqueueManyAsync(requests, cancellationToken);
        }
        catch (JobBulkValidationException ex)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var error in ex.Errors) errors[Item(error.Index, error.Field)] = [error.Message];
            var detail = $"{ex.Errors.Count} of {jobs.Count} jobs are invalid; none was enqueued. Fix them and send the request again.";
            return TypedResults.ValidationProblem(errors, detail: detail, title: "Invalid request");
        }
        catch (JobValidationException ex)
        {
            // Refused as a whole by the workflow insert (an unknown parent, a finished batch): nothing was enqueued.
            return Invalid(ex.Field ?? "jobs", ex.Message);
        }

        var items = new BulkEnqueueItem[results.Count];
        var existing = 0;
        for (var i = 0; i < results.Count; i++)
        {
            items[i] = new BulkEnqueueItem(results[i].Id, results[i].Existing);
            if (results[i].Existing) existing++;
        }
        return TypedResults.Ok(new BulkEnqueueResponse(items, items.Length - existing, existing));

        static string Item(int index, string? field) =>
            string.Create(CultureInfo.InvariantCulture, $"jobs[{index}]{(field is null ? "" : "." + field)}");
    }
}
