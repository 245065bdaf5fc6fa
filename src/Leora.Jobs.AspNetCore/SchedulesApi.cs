using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The handlers of the schedules endpoints (<c>/api/jobs/schedules</c>, issue 12). Every error is a problem+json response
/// naming the field at fault; none of them writes anything.
/// </summary>
internal static class SchedulesApi
{
    public static async Task<Ok<ScheduleListResponse>> ListAsync(IJobSchedules schedules, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ScheduleListResponse([.. (await schedules.ListAsync(cancellationToken)).Select(ScheduleResponse.From)]));

    public static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> GetAsync(string name, IJobSchedules schedules, CancellationToken cancellationToken) =>
        await schedules.GetAsync(name, cancellationToken) is { } found ? TypedResults.Ok(ScheduleResponse.From(found)) : NotFound(name);

    public static async Task<Results<Created<ScheduleResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpContext http, IJobSchedules schedules, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var (request, refused) = await ReadAsync(http.Request, options.CurrentValue.MaxRequestBodyBytes, cancellationToken);
        if (refused is not null) return refused switch { ValidationProblem v => v, ProblemHttpResult p => p, _ => throw new InvalidOperationException() };
        if (string.IsNullOrEmpty(request!.Name)) return Invalid("name", "name is missing.");
        var (schedule, invalid) = ToSchedule(request, request.Name);
        if (invalid is not null) return invalid;
        JobScheduleInfo? created;
        try
        {
            created = await schedules.CreateAsync(schedule!, cancellationToken);
        }
        catch (UnknownJobTypeException ex)
        {
            return UnknownType(ex);
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex.Field ?? "body", ex.Message);
        }
        if (created is null) return Problem(StatusCodes.Status409Conflict, "Conflict", $"A schedule named '{request.Name}' already exists; change it with PUT.");
        var location = $"{http.Request.PathBase}{http.Request.Path.Value?.TrimEnd('/')}/{Uri.EscapeDataString(created.Schedule.Name)}";
        return TypedResults.Created(location, ScheduleResponse.From(created));
    }

    public static async Task<Results<Ok<ScheduleResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string name, HttpContext http, IJobSchedules schedules, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var (request, refused) = await ReadAsync(http.Request, options.CurrentValue.MaxRequestBodyBytes, cancellationToken);
        if (refused is not null) return refused switch { ValidationProblem v => v, ProblemHttpResult p => p, _ => throw new InvalidOperationException() };
        if (request!.Name is { } named && named != name) return Invalid("name", $"name '{named}' in the body differs from '{name}' in the path; a schedule cannot be renamed.");
        var (schedule, invalid) = ToSchedule(request, name);
        if (invalid is not null) return invalid;
        JobScheduleInfo? updated;
        try
        {
            updated = await schedules.UpdateAsync(schedule!, cancellationToken);
        }
        catch (UnknownJobTypeException ex)
        {
            return UnknownType(ex);
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex.Field ?? "body", ex.Message);
        }
        return updated is null ? NotFound(name) : TypedResults.Ok(ScheduleResponse.From(updated));
    }

    public static Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> EnableAsync(string name, IJobSchedules schedules, CancellationToken cancellationToken) =>
        SetEnabledAsync(name, true, schedules, cancellationToken);

    public static Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> DisableAsync(string name, IJobSchedules schedules, CancellationToken cancellationToken) =>
        SetEnabledAsync(name, false, schedules, cancellationToken);

    private static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> SetEnabledAsync(string name, bool enabled, IJobSchedules schedules, CancellationToken cancellationToken) =>
        await schedules.SetEnabledAsync(name, enabled, cancellationToken) is { } info ? TypedResults.Ok(ScheduleResponse.From(info)) : NotFound(name);

    public static async Task<Results<Created<JobResponse>, ProblemHttpResult>> TriggerAsync(
        string name, HttpContext http, IJobSchedules schedules, CancellationToken cancellationToken)
    {
        JobInfo? job;
        try
        {
            job = await schedules.TriggerAsync(name, cancellationToken);
        }
        catch (UnknownJobTypeException ex)
        {
            return Problem(StatusCodes.Status409Conflict, "Conflict", $"Schedule '{name}' names a job type this service does not know: {ex.Message}");
        }
        if (job is null) return NotFound(name);
        // The job's own address, beside the schedules under the API's mount (…/schedules/{name}/trigger → …/{id}).
        var path = http.Request.Path.Value ?? "";
        var mount = path.LastIndexOf("/schedules/", StringComparison.Ordinal) is var i and >= 0 ? path[..i] : "";
        return TypedResults.Created($"{http.Request.PathBase}{mount}/{job.Id}", JobResponse.From(job));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, IJobSchedules schedules, CancellationToken cancellationToken) =>
        await schedules.DeleteAsync(name, cancellationToken) ? TypedResults.NoContent() : NotFound(name);

    /// <summary>The request, or the refusal of a body that is not JSON, too large, malformed or of the wrong shape.</summary>
    private static async Task<(ScheduleRequest? Request, IResult? Refused)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the schedule as JSON with Content-Type: application/json."));
        if (await RequestBody.ReadAsync(request, limit, cancellationToken) is not { } body)
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body is larger than {limit} bytes (Jobs:Api:MaxRequestBodyBytes)."));
        try
        {
            using (var document = JsonDocument.Parse(body))
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    return (null, Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body must be a JSON object."));
            return (JsonSerializer.Deserialize<ScheduleRequest>(body, ApiJson.Options), null);
        }
        catch (JsonException ex)
        {
            var (field, message) = ApiErrorText.Describe(ex);
            return (null, Invalid(field, message));
        }
    }

    private static (JobSchedule? Schedule, ValidationProblem? Invalid) ToSchedule(ScheduleRequest request, string name)
    {
        if (string.IsNullOrWhiteSpace(request.Cron)) return (null, Invalid("cron", "cron is missing."));
        if (string.IsNullOrWhiteSpace(request.Type)) return (null, Invalid("type", "type is missing."));
        var misfire = MisfirePolicy.RunLatest;
        if (request.Misfire is { } m && !JobSchedules.TryParseMisfire(m, out misfire))
            return (null, Invalid("misfire", $"misfire '{m}' is not one of latest, all, skip."));
        var overlap = OverlapPolicy.Allow;
        if (request.Overlap is { } o && !JobSchedules.TryParseOverlap(o, out overlap))
            return (null, Invalid("overlap", $"overlap '{o}' is not one of allow, skip."));
        if (request.Payload is { ValueKind: not JsonValueKind.Object } p)
            return (null, Invalid("payload", $"payload must be a JSON object (was {p.ValueKind.ToString().ToLowerInvariant()})."));
        return (new JobSchedule
        {
            Name = name,
            Cron = request.Cron,
            TimeZone = request.TimeZone ?? "UTC",
            Type = request.Type,
            Payload = request.Payload?.GetRawText() ?? "{}",
            Queue = request.Queue,
            Priority = request.Priority,
            MaxAttempts = request.MaxAttempts,
            Enabled = request.Enabled ?? true,
            Misfire = misfire,
            MisfireLimit = request.MisfireLimit ?? 10,
            Overlap = overlap,
        }, null);
    }

    private static ProblemHttpResult UnknownType(UnknownJobTypeException ex) =>
        TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Unknown job type",
            extensions: new Dictionary<string, object?> { ["knownTypes"] = ex.KnownTypes });

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "Invalid request");

    private static ProblemHttpResult NotFound(string name) =>
        Problem(StatusCodes.Status404NotFound, "Not found", $"There is no schedule '{name}'.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

}
