using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leora.Jobs.AspNetCore;
using Leora.Jobs.Storage;

namespace Leora.Jobs.Server;

// batches: create a batch from a JSON file (the body of POST /api/batches), list batches, show one with its callbacks, page
// through its jobs, cancel it (issue 14, docs/workflows.md).
internal static partial class Cli
{
    private static Command BatchesCommand()
    {
        var command = NewCommand("batches", "Batches of jobs with callbacks: create, list, show, jobs, cancel.");
        command.Subcommands.Add(BatchCreateCommand());
        command.Subcommands.Add(BatchListCommand());
        command.Subcommands.Add(BatchShowCommand());
        command.Subcommands.Add(BatchJobsCommand());
        command.Subcommands.Add(BatchCancelCommand());
        return command;
    }

    private static Command BatchCreateCommand()
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "A JSON file with the batch, as the body of POST /api/batches ({\"description\", \"jobs\": [...], \"onComplete\", ...}); - reads standard input.",
            Required = true,
        };
        var json = JsonOption();
        var command = NewCommand("create", "Create a batch with its jobs and callbacks, in one transaction. Refuses a bad file, an unknown type, a bad payload, a cycle or an unknown parent (exit 2), writing nothing.");
        command.Options.Add(file);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            string text;
            try
            {
                text = path == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(ExitCodes.Usage, $"--file cannot be read: {ex.Message}");
            }
            BatchCreateRequest? body;
            try
            {
                body = JsonSerializer.Deserialize<BatchCreateRequest>(text, ApiJson.Options);
            }
            catch (JsonException ex)
            {
                var (field, message) = ApiErrorText.Describe(ex);
                return Fail(ExitCodes.Usage, $"{path} is not a batch: {(string.IsNullOrEmpty(field) ? "" : field + ": ")}{message}");
            }
            if (body?.Jobs is null or { Count: 0 }) return Fail(ExitCodes.Usage, $"{path} is not a batch: jobs: a batch needs at least one job.");
            if (body.Jobs.Any(j => j is null)) return Fail(ExitCodes.Usage, $"{path} is not a batch: jobs must not hold null.");

            // No retry on a database that is away for a moment, unlike enqueue: a batch has no idempotency key, so a try
            // whose answer was lost after its commit could not be told apart from one that never ran (exit 6 says so).
            return await WithHostAsync(parse, StoreUse.Migrate, async (services, _) =>
            {
                var workflows = services.GetRequiredService<IJobWorkflows>();
                WorkflowResult created;
                try
                {
                    created = await workflows.CreateBatchAsync(body.ToJobBatchRequest(), ct);
                }
                catch (UnknownJobTypeException ex)
                {
                    return Fail(ExitCodes.Usage, ex.Message);
                }
                catch (JobValidationException ex)
                {
                    return Fail(ExitCodes.Usage, ex.Field is null ? ex.Message : $"{ex.Field}: {ex.Message}");
                }
                var batch = await workflows.GetBatchAsync(created.BatchId!.Value, ct)
                    ?? throw new InvalidOperationException($"Batch {created.BatchId} was created but cannot be read.");
                if (parse.GetValue(json)) { WriteJson(JobBatchResponse.From(batch) with { JobIds = created.JobIds }); return ExitCodes.Ok; }
                var ids = created.JobIds;
                Console.Out.WriteLine($"Created batch {batch.Id} with {ids.Count} job(s) ({(ids.Count == 1 ? $"job {ids[0]}" : $"jobs {ids[0]}–{ids[^1]}")})" +
                    $"{CallbackSummary(batch)}.");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static string CallbackSummary(JobBatch batch)
    {
        var parts = Callbacks(batch).Select(c => $"{RoleText(c.Role)} job {c.Id}").ToList();
        return parts.Count == 0 ? "" : "; callbacks: " + string.Join(", ", parts);
    }

    private static Command BatchListCommand()
    {
        var limit = new Option<int>("--limit") { Description = "Page size, 1–1000.", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("--limit must be 1–1000."); });
        var before = new Option<long?>("--before") { Description = "Only batches older than this id (the id printed under the previous page)." };
        var json = JsonOption();
        var command = NewCommand("list", "List batches, newest first, with their progress.");
        foreach (var o in (Option[])[limit, before, json]) command.Options.Add(o);
        command.SetAction((parse, ct) => WithWorkflowsAsync(parse, async workflows =>
        {
            var size = parse.GetValue(limit);
            var page = await workflows.ListBatchesAsync(parse.GetValue(before), size, ct);
            if (parse.GetValue(json)) { WriteJson(new { batches = page.Select(JobBatchResponse.From).ToList() }); return ExitCodes.Ok; }
            if (page.Count == 0) { Console.Out.WriteLine("No batches."); return ExitCodes.Ok; }
            var table = new ConsoleTable("ID", "DESCRIPTION", "STATE", "TOTAL", "PENDING", "COMPLETED", "FAILED", "CANCELLED", "CREATED");
            foreach (var b in page) table.Add(b.Id, b.Description, State(b), b.Total, b.Pending, b.Completed, b.Failed, b.Cancelled, b.CreatedAt);
            table.Write(Console.Out);
            if (page.Count == size) Console.Out.WriteLine($"More: leora-jobs batches list --before {page[^1].Id}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command BatchShowCommand()
    {
        var id = new Argument<long>("id") { Description = "The batch's id." };
        var jobs = new Option<bool>("--jobs") { Description = "Also list the batch's first 50 jobs with their status." };
        var json = JsonOption();
        var command = NewCommand("show", "Show one batch: its counts, whether it has finished, and its callbacks with their status.");
        command.Arguments.Add(id);
        command.Options.Add(jobs);
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithHostAsync(parse, StoreUse.Existing, async (services, _) =>
        {
            var workflows = services.GetRequiredService<IJobWorkflows>();
            var client = services.GetRequiredService<IJobClient>();
            var batchId = parse.GetValue(id);
            if (await workflows.GetBatchAsync(batchId, ct) is not { } batch) return NoSuchBatch(batchId);
            if (parse.GetValue(json))
            {
                WriteJson(JobBatchResponse.From(batch));
                return ExitCodes.Ok;
            }
            var table = new ConsoleTable("FIELD", "VALUE");
            table.Add("id", batch.Id).Add("description", batch.Description).Add("state", State(batch)).Add("total", batch.Total)
                .Add("pending", batch.Pending).Add("completed", batch.Completed).Add("failed", batch.Failed).Add("cancelled", batch.Cancelled)
                .Add("created", batch.CreatedAt).Add("finished", batch.FinishedAt).Add("cancelled at", batch.CancelledAt);
            table.Write(Console.Out);
            Console.Out.WriteLine();
            var callbacks = Callbacks(batch);
            if (callbacks.Count == 0) Console.Out.WriteLine("No callbacks.");
            else
            {
                var rows = new ConsoleTable("CALLBACK", "JOB", "TYPE", "STATUS");
                foreach (var (role, jobId) in callbacks)
                {
                    var job = await client.GetAsync(jobId, ct);
                    rows.Add(RoleText(role), jobId, job?.Type, job?.Status.ToName() ?? "deleted");
                }
                rows.Write(Console.Out);
            }
            if (parse.GetValue(jobs))
            {
                Console.Out.WriteLine();
                await WriteBatchJobsAsync(workflows, batch, null, 50, ct);
            }
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command BatchJobsCommand()
    {
        var id = new Argument<long>("id") { Description = "The batch's id." };
        var after = new Option<long?>("--after") { Description = "Only jobs after this id (the id printed under the previous page)." };
        var limit = new Option<int>("--limit") { Description = "Page size, 1–1000.", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("--limit must be 1–1000."); });
        var json = JsonOption();
        var command = NewCommand("jobs", "List a batch's jobs (not its callbacks) by id, with their status.");
        command.Arguments.Add(id);
        foreach (var o in (Option[])[after, limit, json]) command.Options.Add(o);
        command.SetAction((parse, ct) => WithWorkflowsAsync(parse, async workflows =>
        {
            var batchId = parse.GetValue(id);
            if (await workflows.GetBatchAsync(batchId, ct) is not { } batch) return NoSuchBatch(batchId);
            var size = parse.GetValue(limit);
            if (parse.GetValue(json))
            {
                var page = await workflows.ListBatchJobsAsync(batchId, parse.GetValue(after), size, ct);
                var next = page.Count == size ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
                WriteJson(new JobListResponse([.. page.Select(Response)], next));
                return ExitCodes.Ok;
            }
            await WriteBatchJobsAsync(workflows, batch, parse.GetValue(after), size, ct);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static async Task WriteBatchJobsAsync(IJobWorkflows workflows, JobBatch batch, long? after, int size, CancellationToken ct)
    {
        var page = await workflows.ListBatchJobsAsync(batch.Id, after, size, ct);
        if (page.Count == 0) { Console.Out.WriteLine(after is null ? "No jobs." : "No more jobs."); return; }
        var table = new ConsoleTable("ID", "TYPE", "QUEUE", "STATUS", "ATTEMPTS", "FINISHED", "LAST ERROR");
        foreach (var j in page)
            table.Add(j.Id, j.Type, j.Queue, j.Status.ToName(), $"{j.Attempts}/{j.MaxAttempts}", j.CompletedAt, j.Errors.Count > 0 ? j.Errors[^1].Message : null);
        table.Write(Console.Out);
        if (page.Count == size) Console.Out.WriteLine($"More: leora-jobs batches jobs {batch.Id} --after {page[^1].Id}");
    }

    private static Command BatchCancelCommand()
    {
        var id = new Argument<long>("id") { Description = "The batch's id." };
        var json = JsonOption();
        var command = NewCommand("cancel",
            "Cancel a batch: its waiting callbacks and its pending and waiting jobs are cancelled, its running jobs asked to stop. Exit 4 when it has finished or was cancelled already.");
        command.Arguments.Add(id);
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithWorkflowsAsync(parse, async workflows =>
        {
            var batchId = parse.GetValue(id);
            switch (await workflows.CancelBatchAsync(batchId, ct))
            {
                case JobCancelResult.NotFound:
                    return NoSuchBatch(batchId);
                case JobCancelResult.AlreadyFinished:
                    var state = await workflows.GetBatchAsync(batchId, ct) is { } b ? State(b) : "gone";
                    return Fail(ExitCodes.Conflict, $"batch {batchId} has {(state == "cancelled" ? "been cancelled already" : "finished")}; there is nothing to cancel.");
            }
            if (await workflows.GetBatchAsync(batchId, ct) is not { } batch) return NoSuchBatch(batchId);
            if (parse.GetValue(json)) WriteJson(JobBatchResponse.From(batch));
            else Console.Out.WriteLine($"Cancelled batch {batchId}: {batch.Cancelled} job(s) cancelled" +
                (batch.Pending > 0 ? $", {batch.Pending} running asked to stop." : "."));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Task<int> WithWorkflowsAsync(ParseResult parse, Func<IJobWorkflows, Task<int>> action, CancellationToken ct) =>
        WithHostAsync(parse, StoreUse.Existing, (services, _) => action(services.GetRequiredService<IJobWorkflows>()), ct);

    private static List<(JobBatchRole Role, long Id)> Callbacks(JobBatch batch)
    {
        var list = new List<(JobBatchRole, long)>(3);
        if (batch.OnCompleteJobId is { } c) list.Add((JobBatchRole.OnComplete, c));
        if (batch.OnSuccessJobId is { } s) list.Add((JobBatchRole.OnSuccess, s));
        if (batch.OnFailureJobId is { } f) list.Add((JobBatchRole.OnFailure, f));
        return list;
    }

    private static string RoleText(JobBatchRole role) => JobBatchRoleNames.Name(role).Replace('_', ' ');

    /// <summary>running, finished or cancelled (a cancelled batch may still have running jobs asked to stop).</summary>
    private static string State(JobBatch batch) => batch.CancelledAt is not null ? "cancelled" : batch.IsFinished ? "finished" : "running";

    private static int NoSuchBatch(long id) => Fail(ExitCodes.NotFound, $"there is no batch {id}.");
}
