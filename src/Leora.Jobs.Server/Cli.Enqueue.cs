using System.CommandLine;
using System.Text.Json;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

// enqueue: one job from the command line.
internal static partial class Cli
{
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
        var concurrencyKey = new Option<string?>("--concurrency-key") { Description = "A concurrency key (a customer id): jobs of one type with one key run one at a time (or the type's key concurrency)." };
        var dependsOn = new Option<long[]>("--depends-on")
        {
            Description = "Jobs (ids, comma-separated or repeated) this one waits for: it is enqueued waiting and runs once they have all completed.",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = r => ParseIds(r),
        };
        var onParentFailure = new Option<string?>("--on-parent-failure") { Description = "When a job it depends on fails or is cancelled: cancel (the default) or run_anyway." };
        onParentFailure.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } v && v is not ("cancel" or "run_anyway")) r.AddError($"--on-parent-failure '{v}' is not one of cancel, run_anyway."); });
        var batch = new Option<long?>("--batch") { Description = "Add the job to this running batch (counted in its progress; its callbacks wait for it)." };
        var json = JsonOption();
        var command = NewCommand("enqueue", "Enqueue a job. Refuses an unknown type, a payload that does not bind, an unknown parent or a finished batch (exit 2), writing nothing.");
        command.Arguments.Add(type);
        foreach (var o in (Option[])[payload, priority, queue, delay, runAt, maxAttempts, key, concurrencyKey, dependsOn, onParentFailure, batch, json]) command.Options.Add(o);
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

            var parents = parse.GetValue(dependsOn) ?? [];
            var batchId = parse.GetValue(batch);
            var policy = parse.GetValue(onParentFailure) == "run_anyway" ? ParentFailurePolicy.RunAnyway : ParentFailurePolicy.Cancel;
            var workflow = parents.Length > 0 || batchId is not null || policy != ParentFailurePolicy.Cancel;
            // Every enqueue carries an idempotency key, the caller's or one of its own, so that a try that failed after its
            // commit (a connection reset while the answer was on its way) and is tried again stores the job once. A job with
            // parents or a batch cannot carry one (docs/workflows.md): it is tried once.
            var givenKey = parse.GetValue(key);
            if (workflow && givenKey is not null)
                return Fail(ExitCodes.Usage, "--idempotency-key cannot be used with --depends-on, --on-parent-failure or --batch.");
            var idempotencyKey = workflow ? null : givenKey ?? $"cli-{Guid.NewGuid():N}";
            return await WithClientAsync(parse, StoreUse.Migrate, async client =>
            {
                EnqueueResult result;
                var options = new EnqueueOptions
                {
                    Priority = parse.GetValue(priority),
                    Queue = parse.GetValue(queue),
                    Delay = delayValue,
                    RunAt = parse.GetValue(runAt),
                    MaxAttempts = parse.GetValue(maxAttempts),
                    IdempotencyKey = idempotencyKey,
                    ConcurrencyKey = parse.GetValue(concurrencyKey),
                    DependsOn = parents.Length > 0 ? parents : null,
                    OnParentFailure = policy,
                    BatchId = batchId,
                };
                try
                {
                    result = workflow
                        ? await client.EnqueueAsync(parse.GetValue(type)!, body, options, ct)
                        : await EnqueueRetryingAsync(client, parse.GetValue(type)!, body, options, ct);
                }
                catch (UnknownJobTypeException ex)
                {
                    return Fail(ExitCodes.Usage, ex.Message);
                }
                catch (JobValidationException ex)
                {
                    return Fail(ExitCodes.Usage, ex.Field is null ? ex.Message : $"{ex.Field}: {ex.Message}");
                }
                catch (JobStoreUnavailableException ex)
                {
                    return Fail(ExitCodes.Unavailable, $"the database is unavailable for now: {ex.Message} " + (idempotencyKey is null
                        ? "The job may or may not have been stored: check with 'leora-jobs list' before running the command again."
                        : $"Run the command again with --idempotency-key {idempotencyKey} to enqueue the job at most once."));
                }
                // The job as the insert answered (or as the key found it): no second read that could fail after the commit. A
                // workflow insert answers with the id only; its job is read back (a failure there is no double enqueue: no retry).
                var job = result.ToJobInfo() ?? await client.GetAsync(result.Id, ct)
                    ?? throw new InvalidOperationException($"Job {result.Id} was enqueued but cannot be read.");
                // A key of our own found an earlier try of this same command that had committed: that is this enqueue.
                var existing = result.Existing && givenKey is not null;
                if (parse.GetValue(json)) WriteJson(Response(job));
                else Console.Out.WriteLine(existing
                    ? $"Job {result.Id} already exists with this idempotency key; {Describe(job)}."
                    : job.Status == JobStatus.Waiting
                        ? $"Enqueued job {result.Id} ({job.Type}, queue {job.Queue}, waiting for job(s) {string.Join(", ", parents)})."
                        : job.Status == JobStatus.Cancelled
                            ? $"Enqueued job {result.Id} ({job.Type}, queue {job.Queue}), cancelled at once: {job.Errors[^1].Message}"
                            : $"Enqueued job {result.Id} ({job.Type}, queue {job.Queue}, runs at {job.RunAt.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z).");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static readonly TimeSpan[] EnqueueRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    // A database restarting or failing over answers again within seconds: the same enqueue, with the same key, is tried
    // again a few times (15 s in all) before the command gives up.
    private static async Task<EnqueueResult> EnqueueRetryingAsync(IJobClient client, string type, JsonElement payload, EnqueueOptions options, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await client.EnqueueAsync(type, payload, options, ct);
            }
            catch (JobStoreUnavailableException ex) when (attempt < EnqueueRetryDelays.Length)
            {
                Console.Error.WriteLine($"warning: {ex.Message} Trying again in {EnqueueRetryDelays[attempt].TotalSeconds:0} s.");
                await Task.Delay(EnqueueRetryDelays[attempt], ct);
            }
        }
    }

    /// <summary>Job ids, each token one id or several separated by commas (<c>--depends-on 4,5 --depends-on 6</c>).</summary>
    private static long[] ParseIds(System.CommandLine.Parsing.ArgumentResult result)
    {
        var ids = new List<long>();
        foreach (var token in result.Tokens)
            foreach (var part in token.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (long.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0) ids.Add(id);
                else result.AddError($"--depends-on '{part}' is not a job id.");
            }
        return [.. ids];
    }
}
