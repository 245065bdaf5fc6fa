using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

// Batches (issue 14, docs/workflows.md): POST /api/batches, GET /api/batches/{id}, POST /api/batches/{id}/cancel.
internal static partial class JobsApi
{
    public static async Task<Results<Created<JobBatchResponse>, ValidationProblem, ProblemHttpResult>> CreateBatchAsync(
        HttpContext http, IJobWorkflows workflows, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var request = http.Request;
        if (!request.HasJsonContentType())
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the batch as JSON with Content-Type: application/json.");
        var limit = options.CurrentValue.MaxRequestBodyBytes;
        if (await RequestBody.ReadAsync(request, limit, cancellationToken) is not { } body) return TooLarge(limit);
        BatchCreateRequest? batch;
        try
        {
            batch = JsonSerializer.Deserialize<BatchCreateRequest>(body, ApiJson.Options);
        }
        catch (JsonException ex)
        {
            if (Malformed(body) is { } malformed) return malformed;
            var (field, message) = ApiErrorText.Describe(ex);
            return Invalid(field, message);
        }
        if (batch is null) return Malformed(body) ?? Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body is empty.");
        if (batch.Jobs is null or { Count: 0 }) return Invalid("jobs", "A batch needs at least one job.");
        if (batch.Jobs.Any(j => j is null)) return Invalid("jobs", "jobs must not hold null.");
        try
        {
            var created = await workflows.CreateBatchAsync(batch.ToJobBatchRequest(), cancellationToken);
            var info = await workflows.GetBatchAsync(created.BatchId!.Value, cancellationToken)
                ?? throw new InvalidOperationException($"Batch {created.BatchId} was created but cannot be read.");
            var location = $"{request.PathBase}{request.Path.Value?.TrimEnd('/')}/{info.Id}";
            return TypedResults.Created(location, JobBatchResponse.From(info) with { JobIds = created.JobIds });
        }
        catch (UnknownJobTypeException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Unknown job type",
                extensions: new Dictionary<string, object?> { ["knownTypes"] = ex.KnownTypes });
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex.Field ?? "jobs", ex.Message);
        }
    }

    public static async Task<Results<Ok<JobBatchResponse>, ProblemHttpResult>> GetBatchAsync(long id, IJobWorkflows workflows, CancellationToken cancellationToken) =>
        await workflows.GetBatchAsync(id, cancellationToken) is { } batch ? TypedResults.Ok(JobBatchResponse.From(batch)) : BatchNotFound(id);

    public static async Task<Results<Ok<JobBatchResponse>, ProblemHttpResult>> CancelBatchAsync(long id, IJobWorkflows workflows, CancellationToken cancellationToken)
    {
        switch (await workflows.CancelBatchAsync(id, cancellationToken))
        {
            case JobCancelResult.NotFound:
                return BatchNotFound(id);
            case JobCancelResult.AlreadyFinished:
                return Conflict($"Batch {id} has finished or was cancelled already.");
        }
        return await workflows.GetBatchAsync(id, cancellationToken) is { } batch ? TypedResults.Ok(JobBatchResponse.From(batch)) : BatchNotFound(id);
    }

    private static ProblemHttpResult BatchNotFound(long id) =>
        Problem(StatusCodes.Status404NotFound, "Not found", $"There is no batch {id}.");
}
