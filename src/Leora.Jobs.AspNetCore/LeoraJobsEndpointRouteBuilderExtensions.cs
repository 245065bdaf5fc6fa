using Leora.Jobs.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the jobs HTTP API and health endpoints. The host chooses the prefixes.</summary>
public static class LeoraJobsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the job endpoints relative to where they are mounted (the service mounts them at <c>/api/jobs</c>):
    /// <c>POST /process</c>, <c>GET /process</c>, <c>GET /process/cron</c>, <c>POST /</c>, <c>GET /</c>, <c>GET /{id}</c>,
    /// <c>POST /{id}/cancel</c>, <c>POST /{id}/retry</c>, <c>POST /{id}/run-now</c>, <c>DELETE /{id}</c>, <c>POST /bulk</c>, <c>POST /actions</c>, <c>POST /cleanup</c>, <c>GET /stats</c>, <c>GET /types</c>, and the
    /// schedules: <c>GET /schedules</c>, <c>POST /schedules</c>, <c>GET|PUT|DELETE /schedules/{name}</c>,
    /// <c>POST /schedules/{name}/enable|disable|trigger</c>, and the pauses: <c>GET /pauses</c>,
    /// <c>POST /queues/{name}/pause|resume</c>, <c>POST /types/{name}/pause|resume</c>.
    /// Every one requires the <see cref="LeoraJobsApiDefaults.Policy"/> policy (an API key); call <c>AddLeoraJobsApi()</c> first.
    /// Besides, the callbacks of HTTP job types' deferred attempts, <c>POST /{id}/attempts/{attempt}/progress|complete|fail</c>,
    /// authenticated by the attempt's own token instead of an API key (they are not in the returned builder's group).
    /// </summary>
    /// <example><code>app.MapGroup("/api/jobs").MapLeoraJobsApi();</code></example>
    public static IEndpointConventionBuilder MapLeoraJobsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("")
            .WithTags(LeoraJobsApiDefaults.Tag)
            .RequireAuthorization(LeoraJobsApiDefaults.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapPost("/process", JobsApi.ProcessAsync)
            .WithName("ProcessJobs")
            .WithSummary("Run a batch of due jobs")
            .WithDescription("The serverless entry point a cron calls. Rescues expired leases, then claims and runs up to maxJobs (1–1000, default 10) due jobs, stopping claiming once maxSeconds are spent, and answers with a summary.");
        group.MapGet("/process/cron", JobsApi.ProcessAsync)
            .WithName("ProcessJobsFromCron")
            .WithSummary("Run a batch of due jobs (GET, for crons that only send GET)")
            .WithDescription("Exactly what POST /process does, for cron services that can only send GET with Authorization: Bearer <secret> (Vercel Cron). It changes state despite being a GET.");
        group.MapGet("/process", JobsApi.QueueStatusAsync)
            .WithName("GetQueueStatus")
            .WithSummary("Queue status for monitoring")
            .WithDescription("Counts of due, scheduled and running jobs and the due jobs, oldest first (bounded list).");
        group.MapPost("/", JobsApi.EnqueueAsync)
            .WithName("EnqueueJob")
            .WithSummary("Enqueue a job")
            .WithDescription("201 with Location and the job; 200 with the existing job when the idempotency key was used before.")
            .Accepts<EnqueueRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/bulk", JobsApi.EnqueueBulkAsync)
            .WithName("EnqueueJobs")
            .WithSummary("Enqueue up to 1,000 jobs in one request")
            .WithDescription("All or nothing: 400 names every invalid job (errors keyed jobs[i].field) and enqueues none. 200 with each job's id in request order; a taken idempotency key answers the existing job's id with existing: true.")
            .Accepts<BulkEnqueueRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", JobsApi.ListAsync)
            .WithName("ListJobs")
            .WithSummary("List jobs, newest first, one page at a time")
            .WithDescription("Filters: status, type, queue; a search by payload text (payload, 1–200 characters, any case) and by created or finished time (createdFrom, createdTo, finishedFrom, finishedTo, ISO 8601) reads at most the newest 100,000 jobs that pass the other filters.");
        group.MapGet("/history", JobsApi.HistoryAsync)
            .WithName("GetJobHistory")
            .WithSummary("Completed and failed jobs per minute over the last hour, or per hour over the last day or week (range=hour|day|week)");
        group.MapGet("/stats", JobsApi.StatsAsync)
            .WithName("GetJobStats")
            .WithSummary("Counts by status, type and queue; recent throughput; backlog age");
        group.MapPost("/cleanup", JobsApi.CleanupAsync)
            .WithName("CleanupJobs")
            .WithSummary("Delete finished jobs older than olderThanDays");
        group.MapGet("/types", JobTypesApi.List)
            .WithName("ListJobTypes")
            .WithSummary("List the registered job types with the JSON Schema of each one's payload")
            .WithDescription("The payload an enqueue of each type takes, as JSON Schema (draft 2020-12): exported from the type's C# arguments record, or given with the type's declaration. The OpenAPI document's enqueue bodies are built from the same schemas.");
        group.MapGet("/{id:long}", JobsApi.GetAsync)
            .WithName("GetJob")
            .WithSummary("Read one job")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/timeline", JobsApi.TimelineAsync)
            .WithName("GetJobTimeline")
            .WithSummary("A job's timeline: enqueued, each claim (worker, attempt), failure, rescue, release, cancel, retry and its outcome, oldest first")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/cancel", JobsApi.CancelAsync)
            .WithName("CancelJob")
            .WithSummary("Cancel a pending job, or ask a running one to stop")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:long}/retry", JobsApi.RetryAsync)
            .WithName("RetryJob")
            .WithSummary("Send a failed or cancelled job back to pending with its type's attempts afresh")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id:long}", JobsApi.DeleteAsync)
            .WithName("DeleteJob")
            .WithSummary("Delete a job that is not running")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:long}/run-now", JobsApi.RunNowAsync)
            .WithName("RunJobNow")
            .WithSummary("Make a waiting job (scheduled, or retrying) due now; 409 for one that is due already, running or finished")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/actions", JobsApi.BulkAsync)
            .WithName("BulkJobAction")
            .WithSummary("Retry, cancel, delete or run now many jobs: by ids, or all that match a filter (at most 1000 per call)")
            .WithDescription("Each job is acted on as the single-job endpoint would; the answer counts the jobs changed and gives, for each job not changed, why. With a filter the jobs are taken oldest first and more is true when more matched than the limit.")
            .Accepts<BulkRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        // Recurring schedules (issue 12; docs/schedules.md).
        group.MapGet("/schedules", SchedulesApi.ListAsync)
            .WithName("ListSchedules")
            .WithSummary("List every schedule with its next five runs (in its zone and UTC) and its last job");
        group.MapPost("/schedules", SchedulesApi.CreateAsync)
            .WithName("CreateSchedule")
            .WithSummary("Create a recurring schedule")
            .WithDescription("201 with Location and the schedule; 400 naming the field for a bad cron, zone, type or payload; 409 when the name is taken.")
            .Accepts<ScheduleRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/schedules/{name}", SchedulesApi.GetAsync)
            .WithName("GetSchedule")
            .WithSummary("Read one schedule")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/schedules/{name}", SchedulesApi.UpdateAsync)
            .WithName("UpdateSchedule")
            .WithSummary("Replace a schedule's definition (its next run is kept while its cron, zone and enabled flag are unchanged)")
            .Accepts<ScheduleRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/schedules/{name}/enable", SchedulesApi.EnableAsync)
            .WithName("EnableSchedule")
            .WithSummary("Enable a schedule from its next tick after now (ticks missed while disabled are not enqueued)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/schedules/{name}/disable", SchedulesApi.DisableAsync)
            .WithName("DisableSchedule")
            .WithSummary("Disable a schedule: no tick is enqueued until it is enabled again")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/schedules/{name}/trigger", SchedulesApi.TriggerAsync)
            .WithName("TriggerSchedule")
            .WithSummary("Enqueue the schedule's job now, outside its ticks; 201 with the job")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/schedules/{name}", SchedulesApi.DeleteAsync)
            .WithName("DeleteSchedule")
            .WithSummary("Delete a schedule (the jobs it enqueued stay)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Pause and resume a queue or a job type (issue 12; docs/pause-and-resume.md).
        group.MapGet("/pauses", PausesApi.ListAsync)
            .WithName("ListPauses")
            .WithSummary("List the paused queues and job types");
        group.MapPost("/queues/{name}/pause", PausesApi.PauseQueueAsync)
            .WithName("PauseQueue")
            .WithSummary("Pause a queue: its pending jobs stay pending, unclaimed and with no attempt used, until it is resumed")
            .WithDescription("Every worker node and batch call honours it from its next claim; running jobs finish; enqueueing still works. Any valid queue name may be paused, one with no jobs too. Pausing again keeps the first pause's time.");
        group.MapPost("/queues/{name}/resume", PausesApi.ResumeQueueAsync)
            .WithName("ResumeQueue")
            .WithSummary("Resume a paused queue (204 whether or not it was paused)");
        group.MapPost("/types/{name}/pause", PausesApi.PauseTypeAsync)
            .WithName("PauseJobType")
            .WithSummary("Pause a job type in every queue; 400 naming the known types for a type that is not registered")
            .WithDescription("Every worker node and batch call honours it from its next claim; running jobs finish; enqueueing still works. Pausing again keeps the first pause's time.");
        group.MapPost("/types/{name}/resume", PausesApi.ResumeTypeAsync)
            .WithName("ResumeJobType")
            .WithSummary("Resume a paused job type (204 whether or not it was paused)");

        // The callbacks of a deferred attempt of an HTTP job type (issue 15; docs/http-job-types.md). No API key: the attempt's
        // own token (Authorization: Bearer <token>, from the envelope the worker sent) is the credential.
        var callbacks = endpoints.MapGroup("/{id:long}/attempts/{attempt:int}")
            .WithTags(LeoraJobsApiDefaults.Tag)
            .AllowAnonymous()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        callbacks.MapPost("/progress", JobCallbacksApi.ProgressAsync)
            .WithName("ReportJobAttemptProgress")
            .WithSummary("Report a deferred attempt's progress (0–100) and extend its deadline by the type's completion timeout")
            .WithDescription("For an HTTP job type's endpoint that answered 202. Authorization: Bearer <the attempt's callback token>. 204; 401 for a token that is not this attempt's; 409 when the attempt no longer holds the job (its lease ran out and it was retried, or the job finished or was cancelled).")
            .Accepts<CallbackProgressRequest>("application/json");
        callbacks.MapPost("/complete", JobCallbacksApi.CompleteAsync)
            .WithName("CompleteJobAttempt")
            .WithSummary("Complete a deferred attempt with its result")
            .WithDescription("For an HTTP job type's endpoint that answered 202. Authorization: Bearer <the attempt's callback token>. 204: the job is completed; 401; 409 as for progress.")
            .Accepts<CallbackCompleteRequest>("application/json");
        callbacks.MapPost("/fail", JobCallbacksApi.FailAsync)
            .WithName("FailJobAttempt")
            .WithSummary("Fail a deferred attempt: retried with backoff while attempts remain (retry: true, the default), or failed for good")
            .WithDescription("For an HTTP job type's endpoint that answered 202. Authorization: Bearer <the attempt's callback token>. 204; 401; 409 as for progress.")
            .Accepts<CallbackFailRequest>("application/json");
        return group;
    }

    /// <summary>
    /// Maps the batch endpoints (docs/workflows.md) relative to where they are mounted (the service mounts them at
    /// <c>/api/batches</c>): <c>POST /</c> (create a batch with its jobs and callbacks), <c>GET /{id}</c> (its progress) and
    /// <c>POST /{id}/cancel</c>. Every one requires the <see cref="LeoraJobsApiDefaults.Policy"/> policy; call <c>AddLeoraJobsApi()</c> first.
    /// </summary>
    /// <example><code>app.MapGroup("/api/batches").MapLeoraJobsBatchesApi();</code></example>
    public static IEndpointConventionBuilder MapLeoraJobsBatchesApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("")
            .WithTags(LeoraJobsApiDefaults.Tag)
            .RequireAuthorization(LeoraJobsApiDefaults.Policy)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/", JobsApi.CreateBatchAsync)
            .WithName("CreateBatch")
            .WithSummary("Create a batch of jobs with callbacks")
            .WithDescription("All or nothing, in one transaction: jobs may depend on each other by ref (dependsOn) and on existing jobs (dependsOnJobs); a cycle, an unknown ref or parent is refused with 400 naming it. 201 with Location, the batch and its jobs' ids in request order. Each callback runs once, when every job has finished.")
            .Accepts<BatchCreateRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/{id:long}", JobsApi.GetBatchAsync)
            .WithName("GetBatch")
            .WithSummary("A batch's progress: total, pending, completed, failed and cancelled jobs, and its callbacks");
        group.MapPost("/{id:long}/cancel", JobsApi.CancelBatchAsync)
            .WithName("CancelBatch")
            .WithSummary("Cancel a batch: its callbacks and its pending and waiting jobs are cancelled, its running jobs asked to stop; 409 when it had finished");
        return group;
    }

    /// <summary>
    /// Maps <c>GET /live</c> (the process answers) and <c>GET /ready</c> (the database is reachable and migrated, and a
    /// <see cref="Leora.Jobs.JobWorker"/> running in this process reaches it too: 503 problem+json otherwise), relative
    /// to where they are mounted (the service mounts them at <c>/health</c>). They need no key: they reveal nothing.
    /// </summary>
    /// <example><code>app.MapGroup("/health").MapLeoraJobsHealth();</code></example>
    public static IEndpointConventionBuilder MapLeoraJobsHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", JobsApi.Live).WithName("Live").WithSummary("Liveness: the process answers");
        group.MapGet("/ready", JobsApi.ReadyAsync).WithName("Ready").ProducesProblem(StatusCodes.Status503ServiceUnavailable).WithSummary("Readiness: the database is reachable, migrated and not out of disk, and the worker running here (if any) reaches it");
        return group;
    }
}
