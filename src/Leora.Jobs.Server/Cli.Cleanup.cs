using System.CommandLine;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Server;

// cleanup: delete finished jobs older than an age, through the client's bounded batched loop.
internal static partial class Cli
{
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
            return await WithHostAsync(parse, StoreUse.Existing, async (services, settings) =>
            {
                var client = services.GetRequiredService<IJobClient>();
                var limit = age ?? settings.Retention ?? TimeSpan.FromDays(30);
                var asJson = parse.GetValue(json);
                long total;
                using (var bar = new ProgressBar("Deleting", !asJson))
                    total = await client.CleanupAsync(limit, new SyncProgress<long>(n => bar.Report(n, null, "job(s) deleted")), ct);
                if (asJson) WriteJson(new CleanupResponse(total, Math.Round(limit.TotalDays, 4)));
                else Console.Out.WriteLine($"Deleted {total} finished job(s) older than {DurationText.Format(limit)}.");
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }
}
