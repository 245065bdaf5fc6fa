using System.CommandLine;
using Leora.Jobs.AspNetCore;
using Leora.Jobs.Storage;

namespace Leora.Jobs.Server;

// The verbs on jobs already in the queue: list, and status, cancel, retry and delete of one job by id (one shared path).
internal static partial class Cli
{
    private static Command StatusCommand() => OneJobCommand("status", "Show one job: status, attempts, progress, result and every error.", withJson: true,
        async (client, jobId, asJson, ct) =>
        {
            if (await client.GetAsync(jobId, ct) is not { } job) return NoSuchJob(jobId);
            if (asJson) { WriteJson(Response(job)); return ExitCodes.Ok; }
            var table = new ConsoleTable("FIELD", "VALUE");
            table.Add("id", job.Id).Add("type", job.Type).Add("queue", job.Queue).Add("status", job.Status.ToName())
                .Add("priority", job.Priority).Add("attempts", $"{job.Attempts}/{job.MaxAttempts}")
                .Add("progress", job.Progress is { } p ? $"{p}% {job.ProgressMessage}".Trim() : null)
                .Add("created", job.CreatedAt).Add("run at", job.RunAt).Add("started", job.StartedAt).Add("finished", job.CompletedAt)
                .Add("worker", job.Worker).Add("idempotency key", job.IdempotencyKey).Add("concurrency key", job.ConcurrencyKey)
                .Add("payload", job.Payload.GetRawText()).Add("result", job.Result?.GetRawText());
            table.Write(Console.Out);
            if (job.Errors.Count > 0)
            {
                Console.Out.WriteLine();
                var errors = new ConsoleTable("ATTEMPT", "AT", "TYPE", "MESSAGE");
                foreach (var e in job.Errors) errors.Add(e.Attempt, e.At, e.Type, e.Message);
                errors.Write(Console.Out);
            }
            return ExitCodes.Ok;
        });

    private static Command CancelCommand() => JobActionCommand("cancel", "Cancel a pending job, or ask a running one to stop. Exit 4 when it has already finished.", withJson: true,
        async (client, jobId, ct) => await client.CancelAsync(jobId, ct) switch
        {
            JobCancelResult.NotFound => JobAction.NotFound,
            JobCancelResult.AlreadyFinished => JobAction.Conflict,
            JobCancelResult.Cancelled => JobAction.Done($"Cancelled job {jobId}."),
            _ => JobAction.Done($"Job {jobId} is running; asked it to stop."),
        },
        (jobId, job) => $"job {jobId} has already finished ({job?.Status.ToName()}); there is nothing to cancel.");

    private static Command RetryCommand() => JobActionCommand("retry", "Send a failed or cancelled job back to pending with its type's attempts afresh. Exit 4 for other statuses.", withJson: true,
        async (client, jobId, ct) => await client.RetryAsync(jobId, ct) switch
        {
            JobActionResult.NotFound => JobAction.NotFound,
            JobActionResult.Conflict => JobAction.Conflict,
            _ => JobAction.Done($"Job {jobId} is pending again."),
        },
        (jobId, job) => JobClient.RetryRefusal(jobId, job));

    private static Command DeleteCommand() => JobActionCommand("delete", "Delete a job that is not running. Exit 4 for a running job.", withJson: false,
        async (client, jobId, ct) => await client.DeleteAsync(jobId, ct) switch
        {
            JobActionResult.NotFound => JobAction.NotFound,
            JobActionResult.Conflict => JobAction.Conflict,
            _ => JobAction.Done($"Deleted job {jobId}."),
        },
        (jobId, _) => $"job {jobId} is running; cancel it first.");

    /// <summary>
    /// A verb that changes one job (cancel, retry, delete): exit 3 when there is no such job, 4 (with
    /// <paramref name="conflict"/>'s message) when its status forbids the change; else the job (--json) or the verb's line.
    /// With --json, the job is read after the change, whatever came of it, so that a conflict can name its status.
    /// </summary>
    private static Command JobActionCommand(string name, string description, bool withJson,
        Func<IJobClient, long, CancellationToken, Task<JobAction>> act, Func<long, JobInfo?, string> conflict) =>
        OneJobCommand(name, description, withJson, async (client, jobId, asJson, ct) =>
        {
            var action = await act(client, jobId, ct);
            if (action.Outcome == JobActionOutcome.NotFound) return NoSuchJob(jobId);
            var job = withJson ? await client.GetAsync(jobId, ct) : null;
            if (action.Outcome == JobActionOutcome.Conflict) return Fail(ExitCodes.Conflict, conflict(jobId, job));
            if (asJson) WriteJson(Response(job!));
            else Console.Out.WriteLine(action.Message);
            return ExitCodes.Ok;
        });

    /// <summary>A verb on one job by id: the id argument, --json when the verb writes a job, and a client to run it with.</summary>
    private static Command OneJobCommand(string name, string description, bool withJson, Func<IJobClient, long, bool, CancellationToken, Task<int>> run)
    {
        var id = new Argument<long>("id") { Description = "The job's id." };
        var json = withJson ? JsonOption() : null;
        var command = NewCommand(name, description);
        command.Arguments.Add(id);
        if (json is not null) command.Options.Add(json);
        command.SetAction((parse, ct) => WithClientAsync(parse, StoreUse.Existing,
            client => run(client, parse.GetValue(id), json is not null && parse.GetValue(json), ct), ct));
        return command;
    }

    private static int NoSuchJob(long jobId) => Fail(ExitCodes.NotFound, $"there is no job {jobId}.");

    private enum JobActionOutcome
    {
        Done,
        NotFound,
        Conflict,
    }

    /// <summary>What a verb did to one job, with the line to print when it was done.</summary>
    private readonly record struct JobAction(JobActionOutcome Outcome, string? Message = null)
    {
        public static JobAction NotFound => new(JobActionOutcome.NotFound);

        public static JobAction Conflict => new(JobActionOutcome.Conflict);

        public static JobAction Done(string message) => new(JobActionOutcome.Done, message);
    }

    private static Command ListCommand()
    {
        var status = new Option<string?>("--status") { Description = "Only jobs with this status: pending, processing, completed, failed, cancelled." };
        status.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } s && !JobNames.TryParseStatus(s, out _)) r.AddError($"--status '{s}' is not one of pending, processing, completed, failed, cancelled."); });
        var type = new Option<string?>("--type") { Description = "Only jobs of this type." };
        var queue = new Option<string?>("--queue") { Description = "Only jobs of this queue." };
        var limit = new Option<int>("--limit") { Description = "Page size, 1–1000.", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("--limit must be 1–1000."); });
        var cursor = new Option<string?>("--cursor") { Description = "The cursor printed under the previous page." };
        var json = JsonOption();
        var command = NewCommand("list", "List jobs, newest first.");
        foreach (var o in (Option[])[status, type, queue, limit, cursor, json]) command.Options.Add(o);
        command.SetAction((parse, ct) => WithClientAsync(parse, StoreUse.Existing, async client =>
        {
            JobPage page;
            try
            {
                page = await client.ListAsync(new JobQuery
                {
                    Status = parse.GetValue(status) is { } s ? JobNames.ParseStatus(s) : null,
                    Type = parse.GetValue(type),
                    Queue = parse.GetValue(queue),
                    Limit = parse.GetValue(limit),
                    Cursor = parse.GetValue(cursor),
                }, ct);
            }
            catch (JobValidationException ex)
            {
                return Fail(ExitCodes.Usage, ex.Message);
            }
            if (parse.GetValue(json)) { WriteJson(new JobListResponse([.. page.Items.Select(Response)], page.NextCursor)); return ExitCodes.Ok; }
            var table = new ConsoleTable("ID", "TYPE", "QUEUE", "STATUS", "ATTEMPTS", "RUN AT", "LAST ERROR");
            foreach (var j in page.Items)
                table.Add(j.Id, j.Type, j.Queue, j.Status.ToName(), $"{j.Attempts}/{j.MaxAttempts}", j.RunAt, j.Errors.Count > 0 ? j.Errors[^1].Message : null);
            if (table.Count == 0) Console.Out.WriteLine("No jobs.");
            else table.Write(Console.Out);
            if (page.NextCursor is { } next) Console.Out.WriteLine($"More: leora-jobs list --cursor {next}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
