using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leora.Jobs.AspNetCore;
using Leora.Jobs.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Server;

internal static partial class Cli
{
    private static Command ServeCommand()
    {
        var urls = new Option<string?>("--urls") { Description = "Where to listen, for example http://0.0.0.0:8080. Default: http://127.0.0.1:5080 (or ASPNETCORE_URLS)." };
        var noWorker = new Option<bool>("--no-worker") { Description = "Serve the API only; run no jobs here (same as Jobs:Worker:Enabled=false)." };
        var command = NewCommand("serve", "Run the service: HTTP API, health, OpenAPI, and the built-in worker (the default command).");
        command.Options.Add(urls);
        command.Options.Add(noWorker);
        command.SetAction((parse, ct) => ServeAsync(parse, parse.GetValue(urls), parse.GetValue(noWorker), ct));
        return command;
    }

    private static async Task<int> ServeAsync(ParseResult parse, string? urls, bool noWorker, CancellationToken ct)
    {
        var extra = new List<string>();
        if (urls is not null) extra.Add($"--urls={urls}");
        if (noWorker) extra.Add("--Jobs:Worker:Enabled=false");
        var (app, settings) = ServerHost.BuildWebApp(ConfigArgs(parse, [.. extra]));
        await using (app)
        {
            var store = JobsServices.ResolveStore(app.Services);
            await app.StartAsync(ct);
            var keys = app.Services.GetRequiredService<IOptions<LeoraJobsApiOptions>>().Value.ApiKeys.Count;
            var listening = string.Join(", ", app.Urls);
            Console.Out.WriteLine($"Leora Jobs is listening on {listening}");
            Console.Out.WriteLine($"Jobs are kept in the {settings.DescribeDatabase(JobsServices.SqlitePath(store))}");
            Console.Out.WriteLine(settings.WorkerEnabled
                ? $"Built-in worker: on, {settings.WorkerConcurrency} at a time"
                : "Built-in worker: off (call POST /api/jobs/process or run 'leora-jobs work')");
            if (settings.OpenApiEnabled) Console.Out.WriteLine($"API page: {app.Urls.First().TrimEnd('/')}/scalar/v1   OpenAPI: /openapi/v1.json");
            Console.Out.WriteLine(keys == 0
                ? "API keys: none set, so the API refuses every request. Set JOB_PROCESSOR_API_KEY (or Jobs:ApiKeys) and restart."
                : $"API keys: {keys} accepted (x-api-key or Authorization: Bearer)");
            Console.Out.WriteLine("Press Ctrl+C to stop.");
            await Console.Out.FlushAsync(ct);
            await app.WaitForShutdownAsync(CancellationToken.None);
        }
        return ExitCodes.Ok;
    }

    private static Command WorkCommand()
    {
        var command = NewCommand("work", "Run the worker only (no HTTP) until stopped with Ctrl+C or SIGTERM.");
        command.SetAction(async (parse, ct) =>
        {
            var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: true, LogLevel.Information);
            using (host)
            {
                var store = JobsServices.ResolveStore(host.Services);
                await host.StartAsync(ct);
                Console.Out.WriteLine($"Worker running, {settings.WorkerConcurrency} at a time, against the {settings.DescribeDatabase(JobsServices.SqlitePath(store))}. Press Ctrl+C to stop.");
                await Console.Out.FlushAsync(ct);
                await host.WaitForShutdownAsync(CancellationToken.None);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ProcessCommand()
    {
        var maxJobs = new Option<int>("--max-jobs") { Description = "The most jobs to run (1–100000).", DefaultValueFactory = _ => 10 };
        maxJobs.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100_000) r.AddError("--max-jobs must be 1–100000."); });
        var maxSeconds = new Option<double?>("--max-seconds") { Description = "Stop claiming jobs after this many seconds (jobs already started finish)." };
        maxSeconds.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is { } s && (s <= 0 || double.IsNaN(s))) r.AddError("--max-seconds must be more than 0."); });
        var queue = new Option<string?>("--queue") { Description = "Run only jobs of this queue." };
        var failOnError = new Option<bool>("--fail-on-error") { Description = "Exit with 1 when a job of the batch failed or will retry." };
        var json = JsonOption();
        var command = NewCommand("process", "Run one batch of due jobs, then exit (for Kubernetes CronJobs, systemd timers, cron).");
        command.Options.Add(maxJobs);
        command.Options.Add(maxSeconds);
        command.Options.Add(queue);
        command.Options.Add(failOnError);
        command.Options.Add(json);
        command.SetAction(async (parse, outer) =>
        {
            using var cts = CancelOnCtrlC(outer);
            var ct = cts.Token;
            var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: false, LogLevel.Warning);
            using (host)
            {
                await ServerHost.OpenStoreAsync(host.Services, settings, false, ct);
                var processor = host.Services.GetRequiredService<IJobProcessor>();
                var max = parse.GetValue(maxJobs);
                TimeSpan? budget = parse.GetValue(maxSeconds) is { } s ? TimeSpan.FromSeconds(s) : null;
                var asJson = parse.GetValue(json);
                using var bar = new ProgressBar("Processing", !asJson);
                var result = await RunBatchAsync(processor, max, budget, parse.GetValue(queue), bar, ct);
                bar.Dispose();

                if (asJson) WriteJson(BatchResponse.From(result));
                else WriteBatch(result);
                return parse.GetValue(failOnError) && (result.Failed > 0 || result.Retried > 0) ? ExitCodes.Failure : ExitCodes.Ok;
            }
        });
        return command;
    }

    /// <summary>One batch (it rescues expired leases first); the bar moves as each job finishes, when stderr is a terminal.</summary>
    private static async Task<BatchResult> RunBatchAsync(IJobProcessor processor, int max, TimeSpan? budget, string? queue, ProgressBar bar, CancellationToken ct)
    {
        var finished = 0;
        bar.Report(0, max);
        return await processor.ProcessBatchAsync(new BatchOptions
        {
            MaxJobs = max,
            MaxDuration = budget,
            Queue = queue,
            Progress = new BarProgress(() => bar.Report(++finished, max)),
        }, ct);
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool and draw out of order).</summary>
    private sealed class BarProgress(Action onReport) : IProgress<JobRunReport>
    {
        public void Report(JobRunReport value) => onReport();
    }

    private static void WriteBatch(BatchResult result)
    {
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Processed {result.Processed} job(s) in {result.DurationMs:0} ms: {result.Succeeded} succeeded, {result.Failed} failed, {result.Retried} will retry, {result.Cancelled} cancelled; {result.Rescued} rescued."));
        if (result.Jobs.Count == 0) return;
        var table = new ConsoleTable("ID", "TYPE", "OUTCOME", "MS", "ERROR");
        foreach (var job in result.Jobs) table.Add(job.Id, job.Type, BatchJobLine.OutcomeName(job.Outcome), Math.Round(job.DurationMs), job.Error);
        Console.Out.WriteLine();
        table.Write(Console.Out);
    }

    private static Command EnqueueCommand()
    {
        var type = new Argument<string>("type") { Description = "The job type, for example webhook." };
        var payload = new Option<string>("--payload", "-p") { Description = "The payload as JSON, for example '{\"url\":\"https://example.com/hook\"}'.", Required = true };
        var priority = new Option<int?>("--priority") { Description = "Higher runs first." };
        var queue = new Option<string?>("--queue") { Description = "The queue (default: the type's)." };
        var delay = new Option<string?>("--delay") { Description = "Run no earlier than this from now: 30s, 5m, 2h, 1d." };
        var runAt = new Option<DateTimeOffset?>("--run-at") { Description = "Run no earlier than this time (ISO 8601)." };
        var maxAttempts = new Option<int?>("--max-attempts") { Description = "Attempts before the job fails for good (1–1000)." };
        var key = new Option<string?>("--idempotency-key") { Description = "Enqueue only once per key: a repeat returns the existing job." };
        var json = JsonOption();
        var command = NewCommand("enqueue", "Enqueue a job. Refuses an unknown type or a payload that does not bind (exit 2), writing nothing.");
        command.Arguments.Add(type);
        foreach (var o in (Option[])[payload, priority, queue, delay, runAt, maxAttempts, key, json]) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            JsonElement body;
            try
            {
                using var doc = JsonDocument.Parse(parse.GetValue(payload)!);
                body = doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                return Fail(ExitCodes.Usage, $"--payload is not valid JSON: {ex.Message}");
            }
            TimeSpan? delayValue = null;
            if (parse.GetValue(delay) is { } d)
                delayValue = DurationText.TryParse(d, out var parsed) ? parsed : throw new CliUsageException($"--delay '{d}' is not a duration (30s, 5m, 2h, 1d).");

            var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: false, LogLevel.Warning);
            using (host)
            {
                await ServerHost.OpenStoreAsync(host.Services, settings, false, ct);
                var client = host.Services.GetRequiredService<IJobClient>();
                EnqueueResult result;
                try
                {
                    result = await client.EnqueueAsync(parse.GetValue(type)!, body, new EnqueueOptions
                    {
                        Priority = parse.GetValue(priority),
                        Queue = parse.GetValue(queue),
                        Delay = delayValue,
                        RunAt = parse.GetValue(runAt),
                        MaxAttempts = parse.GetValue(maxAttempts),
                        IdempotencyKey = parse.GetValue(key),
                    }, ct);
                }
                catch (UnknownJobTypeException ex)
                {
                    return Fail(ExitCodes.Usage, ex.Message);
                }
                catch (JobValidationException ex)
                {
                    return Fail(ExitCodes.Usage, ex.Field is null ? ex.Message : $"{ex.Field}: {ex.Message}");
                }
                var job = await client.GetAsync(result.Id, ct);
                if (parse.GetValue(json)) WriteJson(Response(job!));
                else Console.Out.WriteLine(result.Existing
                    ? $"Job {result.Id} already exists with this idempotency key; {Describe(job!)}."
                    : $"Enqueued job {result.Id} ({job!.Type}, queue {job.Queue}, runs at {job.RunAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z).");
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Argument<long> IdArgument() => new("id") { Description = "The job's id." };

    private static Command StatusCommand()
    {
        var id = IdArgument();
        var json = JsonOption();
        var command = NewCommand("status", "Show one job: status, attempts, progress, result and every error.");
        command.Arguments.Add(id);
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithClientAsync(parse, async client =>
        {
            if (await client.GetAsync(parse.GetValue(id), ct) is not { } job) return Fail(ExitCodes.NotFound, $"there is no job {parse.GetValue(id)}.");
            if (parse.GetValue(json)) { WriteJson(Response(job)); return ExitCodes.Ok; }
            var table = new ConsoleTable("FIELD", "VALUE");
            table.Add("id", job.Id).Add("type", job.Type).Add("queue", job.Queue).Add("status", job.Status.ToName())
                .Add("priority", job.Priority).Add("attempts", $"{job.Attempts}/{job.MaxAttempts}")
                .Add("progress", job.Progress is { } p ? $"{p}% {job.ProgressMessage}".Trim() : null)
                .Add("created", job.CreatedAt).Add("run at", job.RunAt).Add("started", job.StartedAt).Add("finished", job.CompletedAt)
                .Add("worker", job.Worker).Add("idempotency key", job.IdempotencyKey)
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
        }, ct));
        return command;
    }

    private static Command ListCommand()
    {
        var status = new Option<string?>("--status") { Description = "Only jobs with this status: pending, processing, completed, failed, cancelled." };
        status.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } s && !JobStatusNames.TryParse(s, out _)) r.AddError($"--status '{s}' is not one of pending, processing, completed, failed, cancelled."); });
        var type = new Option<string?>("--type") { Description = "Only jobs of this type." };
        var queue = new Option<string?>("--queue") { Description = "Only jobs of this queue." };
        var limit = new Option<int>("--limit") { Description = "Page size, 1–1000.", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1000) r.AddError("--limit must be 1–1000."); });
        var cursor = new Option<string?>("--cursor") { Description = "The cursor printed under the previous page." };
        var json = JsonOption();
        var command = NewCommand("list", "List jobs, newest first.");
        foreach (var o in (Option[])[status, type, queue, limit, cursor, json]) command.Options.Add(o);
        command.SetAction((parse, ct) => WithClientAsync(parse, async client =>
        {
            JobPage page;
            try
            {
                page = await client.ListAsync(new JobQuery
                {
                    Status = parse.GetValue(status) is { } s ? JobStatusNames.Parse(s) : null,
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

    private static Command CancelCommand()
    {
        var id = IdArgument();
        var json = JsonOption();
        var command = NewCommand("cancel", "Cancel a pending job, or ask a running one to stop. Exit 4 when it has already finished.");
        command.Arguments.Add(id);
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithClientAsync(parse, async client =>
        {
            var jobId = parse.GetValue(id);
            var result = await client.CancelAsync(jobId, ct);
            if (result == JobCancelResult.NotFound) return Fail(ExitCodes.NotFound, $"there is no job {jobId}.");
            var job = await client.GetAsync(jobId, ct);
            if (result == JobCancelResult.AlreadyFinished) return Fail(ExitCodes.Conflict, $"job {jobId} has already finished ({job?.Status.ToName()}); there is nothing to cancel.");
            if (parse.GetValue(json)) WriteJson(Response(job!));
            else Console.Out.WriteLine(result == JobCancelResult.Cancelled ? $"Cancelled job {jobId}." : $"Job {jobId} is running; asked it to stop.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command RetryCommand()
    {
        var id = IdArgument();
        var json = JsonOption();
        var command = NewCommand("retry", "Send a failed or cancelled job back to pending with fresh attempts. Exit 4 for other statuses.");
        command.Arguments.Add(id);
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithClientAsync(parse, async client =>
        {
            var jobId = parse.GetValue(id);
            var result = await client.RetryAsync(jobId, ct);
            if (result == JobActionResult.NotFound) return Fail(ExitCodes.NotFound, $"there is no job {jobId}.");
            var job = await client.GetAsync(jobId, ct);
            if (result == JobActionResult.Conflict) return Fail(ExitCodes.Conflict, $"job {jobId} is {job?.Status.ToName()}; only failed or cancelled jobs can be retried.");
            if (parse.GetValue(json)) WriteJson(Response(job!));
            else Console.Out.WriteLine($"Job {jobId} is pending again.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command DeleteCommand()
    {
        var id = IdArgument();
        var command = NewCommand("delete", "Delete a job that is not running. Exit 4 for a running job.");
        command.Arguments.Add(id);
        command.SetAction((parse, ct) => WithClientAsync(parse, async client =>
        {
            var jobId = parse.GetValue(id);
            return await client.DeleteAsync(jobId, ct) switch
            {
                JobActionResult.NotFound => Fail(ExitCodes.NotFound, $"there is no job {jobId}."),
                JobActionResult.Conflict => Fail(ExitCodes.Conflict, $"job {jobId} is running; cancel it first."),
                _ => Done($"Deleted job {jobId}."),
            };
        }, ct));
        return command;
    }

    private static int Done(string message)
    {
        Console.Out.WriteLine(message);
        return ExitCodes.Ok;
    }

    private static Command CleanupCommand()
    {
        var olderThan = new Option<string?>("--older-than") { Description = "Delete finished jobs older than this: 30d, 12h, 90m. Default: Jobs:Retention (30d)." };
        var json = JsonOption();
        var command = NewCommand("cleanup", "Delete finished jobs (completed, failed, cancelled) older than a given age, in bounded batches.");
        command.Options.Add(olderThan);
        command.Options.Add(json);
        command.SetAction(async (parse, outer) =>
        {
            TimeSpan? age = null;
            if (parse.GetValue(olderThan) is { } text)
                age = DurationText.TryParse(text, out var parsed) ? parsed : throw new CliUsageException($"--older-than '{text}' is not a duration (30d, 12h, 90m).");
            using var cts = CancelOnCtrlC(outer);
            var ct = cts.Token;
            var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: false, LogLevel.Warning);
            using (host)
            {
                var store = await ServerHost.OpenStoreAsync(host.Services, settings, false, ct);
                var limit = age ?? settings.Retention ?? TimeSpan.FromDays(30);
                var asJson = parse.GetValue(json);
                long total = 0;
                using (var bar = new ProgressBar("Deleting", !asJson))
                {
                    const int batch = 1000;
                    int deleted;
                    do
                    {
                        deleted = await store.JobDeleteFinishedAsync(limit, batch, ct);
                        total += deleted;
                        bar.Report(total, null, "job(s) deleted");
                    }
                    while (deleted == batch);
                }
                if (asJson) WriteJson(new CleanupResponse(total, Math.Round(limit.TotalDays, 4)));
                else Console.Out.WriteLine($"Deleted {total} finished job(s) older than {Human(limit)}.");
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static string Human(TimeSpan t) =>
        t.TotalDays >= 1 && t.TotalDays == Math.Floor(t.TotalDays) ? $"{t.TotalDays:0}d"
        : t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours:0}h"
        : t.TotalMinutes >= 1 && t.TotalMinutes == Math.Floor(t.TotalMinutes) ? $"{t.TotalMinutes:0}m"
        : $"{t.TotalSeconds:0.###}s";

    private static Command StatsCommand()
    {
        var json = JsonOption();
        var command = NewCommand("stats", "Counts by status, type and queue; completed and failed in the last minute and hour; backlog age; worker nodes.");
        command.Options.Add(json);
        command.SetAction((parse, ct) => WithClientAsync(parse, async client =>
        {
            var stats = StatsResponse.From(await client.StatsAsync(ct));
            if (parse.GetValue(json)) { WriteJson(stats); return ExitCodes.Ok; }
            var overview = new ConsoleTable("STATUS", "JOBS");
            foreach (var (status, n) in stats.ByStatus) overview.Add(status, n);
            overview.Write(Console.Out);
            Console.Out.WriteLine();
            var recent = new ConsoleTable("MEASURE", "VALUE");
            recent.Add("due now", stats.DuePending).Add("scheduled", stats.Scheduled)
                .Add("completed, last minute", stats.CompletedLastMinute).Add("failed, last minute", stats.FailedLastMinute)
                .Add("completed, last hour", stats.CompletedLastHour).Add("failed, last hour", stats.FailedLastHour)
                .Add("oldest due job waiting", stats.OldestDuePendingAgeSeconds is { } s ? Human(TimeSpan.FromSeconds(Math.Round(s))) : null);
            recent.Write(Console.Out);
            WriteGroups("TYPE", stats.ByType);
            WriteGroups("QUEUE", stats.ByQueue);
            WriteNodes(stats.Nodes);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static void WriteNodes(IReadOnlyList<NodeResponse> nodes)
    {
        Console.Out.WriteLine();
        if (nodes.Count == 0)
        {
            Console.Out.WriteLine("No worker node is registered (no long-running worker has heartbeat recently).");
            return;
        }
        var table = new ConsoleTable("NODE", "QUEUES", "CONCURRENCY", "RUNNING", "STARTED", "LAST HEARTBEAT", "ROLE", "STATE");
        foreach (var n in nodes)
            table.Add(n.Name, n.Queues is null ? "*" : string.Join(",", n.Queues), n.Concurrency, n.Running, n.StartedAt,
                $"{Human(TimeSpan.FromSeconds(Math.Round(n.HeartbeatAgeSeconds)))} ago", n.Leader ? "leader" : "-", n.Silent ? "SILENT" : "alive");
        table.Write(Console.Out);
    }

    private static void WriteGroups(string title, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> groups)
    {
        if (groups.Count == 0) return;
        Console.Out.WriteLine();
        var table = new ConsoleTable(title, "PENDING", "PROCESSING");
        foreach (var (name, counts) in groups) table.Add(name, counts.GetValueOrDefault("pending"), counts.GetValueOrDefault("processing"));
        table.Write(Console.Out);
    }

    private static Command MigrateCommand()
    {
        var json = JsonOption();
        var command = NewCommand("migrate", "Create or upgrade the database's tables (the service also does this at start).");
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: false, LogLevel.Warning);
            using (host)
            {
                var store = await ServerHost.OpenStoreAsync(host.Services, settings, forceMigrate: true, ct);
                var (applied, latest) = await store.MigrationVersionAsync(ct);
                if (parse.GetValue(json)) WriteJson(new { provider = store.Provider, schemaVersion = applied, latestVersion = latest });
                else Console.Out.WriteLine($"The {settings.DescribeDatabase(JobsServices.SqlitePath(store))} is at schema version {applied} (latest {latest}).");
                return applied >= latest ? ExitCodes.Ok : ExitCodes.Failure;
            }
        });
        return command;
    }

    private static async Task<int> WithClientAsync(ParseResult parse, Func<IJobClient, Task<int>> action, CancellationToken ct)
    {
        var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: false, LogLevel.Warning);
        using (host)
        {
            await ServerHost.OpenStoreAsync(host.Services, settings, false, ct);
            return await action(host.Services.GetRequiredService<IJobClient>());
        }
    }
}
