using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The callback routes of a deferred attempt (an HTTP job type's endpoint answered 202; docs/http-job-types.md):
/// <c>POST /{id}/attempts/{attempt}/progress|complete|fail</c>. They take no API key: the attempt's own token, sent as
/// <c>Authorization: Bearer &lt;token&gt;</c>, is the credential (401 when it is not this attempt's); a report from an
/// attempt that no longer holds its job (lease lost, rescued, finished, cancelled) changes nothing and answers 409.
/// </summary>
internal static class JobCallbacksApi
{
    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ProgressAsync(
        long id, int attempt, HttpContext http, JobCallbacks callbacks, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync<CallbackProgressRequest>(http, options, cancellationToken);
        if (error is not null) return error;
        if (request!.Progress is not { } progress || double.IsNaN(progress) || progress is < 0 or > 100)
            return Invalid("progress", "progress must be a number from 0 to 100.");
        if (request.Message is { } message && StoredText.Problem(message) is { } problem) return Invalid("message", $"message {problem}");
        return Answer(await callbacks.ProgressAsync(id, attempt, Token(http), (int)Math.Round(progress), request.Message, cancellationToken));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> CompleteAsync(
        long id, int attempt, HttpContext http, JobCallbacks callbacks, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync<CallbackCompleteRequest>(http, options, cancellationToken);
        if (error is not null) return error;
        var result = request!.Result is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } r ? r.GetRawText() : null;
        return Answer(await callbacks.CompleteAsync(id, attempt, Token(http), result, cancellationToken));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> FailAsync(
        long id, int attempt, HttpContext http, JobCallbacks callbacks, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken)
    {
        var (request, error) = await ReadAsync<CallbackFailRequest>(http, options, cancellationToken);
        if (error is not null) return error;
        if (string.IsNullOrWhiteSpace(request!.Error)) return Invalid("error", "error must say what went wrong.");
        return Answer(await callbacks.FailAsync(id, attempt, Token(http), request.Error, request.Retry ?? true, cancellationToken));
    }

    /// <summary>The bearer token, or null. It is never logged.</summary>
    private static string? Token(HttpContext http)
    {
        var header = http.Request.Headers[HeaderNames.Authorization];
        if (header.Count != 1) return null;
        var value = header[0];
        return value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
    }

    private static Results<NoContent, ValidationProblem, ProblemHttpResult> Answer(JobCallbackAnswer answer) => answer.Status switch
    {
        JobCallbackStatus.Done => TypedResults.NoContent(),
        JobCallbackStatus.NotFound => TypedResults.Problem(answer.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        JobCallbackStatus.Unauthorized => TypedResults.Problem(answer.Message, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized"),
        _ => TypedResults.Problem(answer.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict"),
    };

    /// <summary>Reads a JSON body as the other routes do (JSON content type, size cap, strict binding); an empty body is an empty object.</summary>
    private static async Task<(T? Request, Results<NoContent, ValidationProblem, ProblemHttpResult>? Error)> ReadAsync<T>(
        HttpContext http, IOptionsMonitor<LeoraJobsApiOptions> options, CancellationToken cancellationToken) where T : class
    {
        var request = http.Request;
        var limit = options.CurrentValue.MaxRequestBodyBytes;
        if (await RequestBody.ReadAsync(request, limit, cancellationToken) is not { } body)
            return (null, TypedResults.Problem($"The body is larger than {limit} bytes (Jobs:Api:MaxRequestBodyBytes).", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large"));
        if (body.Length == 0) body = "{}"u8.ToArray();
        else if (!request.HasJsonContentType())
            return (null, TypedResults.Problem("Send the report as JSON with Content-Type: application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type"));
        try
        {
            if (JsonSerializer.Deserialize<T>(body, ApiJson.Options) is { } read) return (read, null);
            return (null, TypedResults.Problem("The body must be a JSON object.", statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON"));
        }
        catch (JsonException ex)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    return (null, TypedResults.Problem("The body must be a JSON object.", statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON"));
            }
            catch (JsonException bad)
            {
                return (null, TypedResults.Problem($"The body is not valid JSON: {ApiErrorText.FirstSentence(bad.Message)}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON"));
            }
            var (field, message) = ApiErrorText.Describe(ex);
            return (null, Invalid(field, message));
        }
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "Invalid request");
}
