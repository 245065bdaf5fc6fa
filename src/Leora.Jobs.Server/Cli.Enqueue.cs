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
        var json = JsonOption();
        var command = NewCommand("enqueue", "Enqueue a job. Refuses an unknown type or a payload that does not bind (exit 2), writing nothing.");
        command.Arguments.Add(type);
        foreach (var o in (Option[])[payload, priority, queue, delay, runAt, maxAttempts, key, concurrencyKey, json]) command.Options.Add(o);
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

            return await WithClientAsync(parse, StoreUse.Migrate, async client =>
            {
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
                        ConcurrencyKey = parse.GetValue(concurrencyKey),
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
            }, ct);
        });
        return command;
    }
}
