using Leora.Jobs.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Dashboard;

// The Schedules page (issue 12): every schedule with its next five runs (in its zone and UTC), its last job and whether it
// is enabled; a full key may enable, disable and trigger one. The schedule's shape is the HTTP API's (ScheduleResponse).
internal static partial class DashboardEndpoints
{
    private static async Task<IResult> SchedulesAsync(IJobSchedules schedules, CancellationToken ct) =>
        Json(new ScheduleListResponse([.. (await schedules.ListAsync(ct)).Select(ScheduleResponse.From)]));

    private static async Task<IResult> ScheduleEnableAsync(HttpContext context, string name, IJobSchedules schedules, ILogger<DashboardAuth> logger, CancellationToken ct) =>
        ScheduleAnswer(context, name, "enable", await schedules.SetEnabledAsync(name, true, ct), logger);

    private static async Task<IResult> ScheduleDisableAsync(HttpContext context, string name, IJobSchedules schedules, ILogger<DashboardAuth> logger, CancellationToken ct) =>
        ScheduleAnswer(context, name, "disable", await schedules.SetEnabledAsync(name, false, ct), logger);

    private static async Task<IResult> ScheduleTriggerAsync(HttpContext context, string name, IJobSchedules schedules, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        JobInfo? job;
        try
        {
            job = await schedules.TriggerAsync(name, ct);
        }
        catch (UnknownJobTypeException ex)
        {
            return Problem(StatusCodes.Status409Conflict, "Unknown job type", ex.Message);
        }
        Log.ScheduleAction(logger, "trigger", name, User(context).Name, job is null ? "NotFound" : $"job {job.Id}");
        return job is null ? NoSuchSchedule(name) : Json(new EnqueueResultDto(job.Id, false), StatusCodes.Status201Created);
    }

    private static IResult ScheduleAnswer(HttpContext context, string name, string action, JobScheduleInfo? info, ILogger<DashboardAuth> logger)
    {
        Log.ScheduleAction(logger, action, name, User(context).Name, info is null ? "NotFound" : "Done");
        return info is null ? NoSuchSchedule(name) : Json(ScheduleResponse.From(info));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NoSuchSchedule(string name) =>
        Problem(StatusCodes.Status404NotFound, "No such schedule", $"Schedule '{name}' does not exist.");
}
