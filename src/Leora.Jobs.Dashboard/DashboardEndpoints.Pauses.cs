using Leora.Jobs.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Dashboard;

// The Paused page (issue 12): the paused queues and job types; a full key may pause one and resume one. The pause's shape is
// the HTTP API's (PauseResponse). A read-only key sees the list and gets 403 from the actions (the Operator filter).
internal static partial class DashboardEndpoints
{
    private static async Task<IResult> PausesAsync(IJobPauses pauses, CancellationToken ct) =>
        Json(new PauseListResponse([.. (await pauses.ListAsync(ct)).Select(PauseResponse.From)]));

    private static async Task<IResult> PauseAsync(HttpContext context, string scope, string name, IJobPauses pauses, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        if (!JobNames.TryParsePauseScope(scope, out var parsed)) return NoSuchScope(scope);
        try
        {
            var pause = await pauses.PauseAsync(parsed, name, ct);
            Log.PauseAction(logger, "pause", JobNames.PauseScope(parsed), name, User(context).Name, "Done");
            return Json(PauseResponse.From(pause));
        }
        catch (UnknownJobTypeException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown job type", ex.Message, "name");
        }
        catch (JobValidationException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid name", ex.Message, "name");
        }
    }

    private static async Task<IResult> ResumeAsync(HttpContext context, string scope, string name, IJobPauses pauses, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        if (!JobNames.TryParsePauseScope(scope, out var parsed)) return NoSuchScope(scope);
        bool resumed;
        try
        {
            resumed = await pauses.ResumeAsync(parsed, name, ct);
        }
        catch (JobValidationException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid name", ex.Message, "name");
        }
        Log.PauseAction(logger, "resume", JobNames.PauseScope(parsed), name, User(context).Name, resumed ? "Done" : "NotPaused");
        return TypedResults.NoContent();
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NoSuchScope(string scope) =>
        Problem(StatusCodes.Status400BadRequest, "Invalid scope", $"'{scope}' is not queue or type.", "scope");
}
