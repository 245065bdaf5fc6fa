using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The handlers of the pause endpoints (issue 12): pause and resume a queue or a job type, list what is paused. Pausing
/// is idempotent (the first pause's time is kept) and so is resuming (204 whether or not it was paused). A queue needs
/// only a valid name; a type must be registered (400 naming the known types, as an enqueue answers).
/// </summary>
internal static class PausesApi
{
    public static async Task<Ok<PauseListResponse>> ListAsync(IJobPauses pauses, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PauseListResponse([.. (await pauses.ListAsync(cancellationToken)).Select(PauseResponse.From)]));

    public static Task<Results<Ok<PauseResponse>, ValidationProblem, ProblemHttpResult>> PauseQueueAsync(string name, IJobPauses pauses, CancellationToken cancellationToken) =>
        PauseAsync(JobPauseScope.Queue, name, pauses, cancellationToken);

    public static Task<Results<Ok<PauseResponse>, ValidationProblem, ProblemHttpResult>> PauseTypeAsync(string name, IJobPauses pauses, CancellationToken cancellationToken) =>
        PauseAsync(JobPauseScope.Type, name, pauses, cancellationToken);

    public static Task<Results<NoContent, ValidationProblem>> ResumeQueueAsync(string name, IJobPauses pauses, CancellationToken cancellationToken) =>
        ResumeAsync(JobPauseScope.Queue, name, pauses, cancellationToken);

    public static Task<Results<NoContent, ValidationProblem>> ResumeTypeAsync(string name, IJobPauses pauses, CancellationToken cancellationToken) =>
        ResumeAsync(JobPauseScope.Type, name, pauses, cancellationToken);

    private static async Task<Results<Ok<PauseResponse>, ValidationProblem, ProblemHttpResult>> PauseAsync(
        JobPauseScope scope, string name, IJobPauses pauses, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(PauseResponse.From(await pauses.PauseAsync(scope, name, cancellationToken)));
        }
        catch (UnknownJobTypeException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Unknown job type",
                extensions: new Dictionary<string, object?> { ["knownTypes"] = ex.KnownTypes });
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex);
        }
    }

    private static async Task<Results<NoContent, ValidationProblem>> ResumeAsync(JobPauseScope scope, string name, IJobPauses pauses, CancellationToken cancellationToken)
    {
        try
        {
            await pauses.ResumeAsync(scope, name, cancellationToken);
            return TypedResults.NoContent();
        }
        catch (JobValidationException ex)
        {
            return Invalid(ex);
        }
    }

    private static ValidationProblem Invalid(JobValidationException ex) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [ex.Field ?? "name"] = [ex.Message] }, detail: ex.Message, title: "Invalid request");
}
