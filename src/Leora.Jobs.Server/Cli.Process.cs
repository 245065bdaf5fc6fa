using System.CommandLine;
using System.Globalization;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

// process: one batch of due jobs, then exit.
internal static partial class Cli
{
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
            return await WithHostAsync(parse, StoreUse.Migrate, async (services, _) =>
            {
                var processor = services.GetRequiredService<IJobProcessor>();
                var max = parse.GetValue(maxJobs);
                TimeSpan? budget = parse.GetValue(maxSeconds) is { } s ? TimeSpan.FromSeconds(s) : null;
                var asJson = parse.GetValue(json);
                using var bar = new ProgressBar("Processing", !asJson);
                var result = await RunBatchAsync(processor, max, budget, parse.GetValue(queue), bar, ct);
                bar.Dispose();

                if (asJson) WriteJson(BatchResponse.From(result));
                else WriteBatch(result);
                return parse.GetValue(failOnError) && (result.Failed > 0 || result.Retried > 0) ? ExitCodes.Failure : ExitCodes.Ok;
            }, ct);
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
            Progress = new SyncProgress<JobRunReport>(_ => bar.Report(++finished, max)),
        }, ct);
    }

    private static void WriteBatch(BatchResult result)
    {
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Processed {result.Processed} job(s) in {result.DurationMs:0} ms: {result.Succeeded} succeeded, {result.Failed} failed, {result.Retried} will retry, {result.Cancelled} cancelled; {result.Rescued} rescued{(result.HandedBack > 0 ? $"; {result.HandedBack} handed back" : "")}."));
        if (result.Jobs.Count == 0) return;
        var table = new ConsoleTable("ID", "TYPE", "OUTCOME", "MS", "ERROR");
        foreach (var job in result.Jobs) table.Add(job.Id, job.Type, JobNames.Outcome(job.Outcome), Math.Round(job.DurationMs), job.Error);
        Console.Out.WriteLine();
        table.Write(Console.Out);
    }
}
