using System.Globalization;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Leora.Jobs.Bench;

/// <summary>
/// The limits figures of issue 12 (docs/limits.md): the cost of limited work to unlimited work, both stores, and the accuracy
/// of a rate limit and a concurrency limit across four worker processes on PostgreSQL. Selected by <c>--scenarios
/// limits-cost,limits-accuracy</c>; not in the default set.
/// </summary>
internal sealed class LimitScenarios(Target target, Report report, BenchSettings settings)
{
    private string S => target.Store;
    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// No-op jobs of an unlimited type per second, drained by one worker process: with no other jobs, then beside a backlog of
    /// <paramref name="backlog"/> jobs of a type limited to 600 starts per minute. The ratio is the cost of the limits.
    /// </summary>
    public async Task CostAsync(int jobs, int backlog, CancellationToken ct)
    {
        var alone = await DrainUnlimitedAsync(jobs, 0, ct);
        var beside = await DrainUnlimitedAsync(jobs, backlog, ct);
        report.Add("limits-cost", S, "unlimited_jobs_per_s_alone", alone, "jobs/s", note: $"{jobs:N0} no-op jobs, one worker process, concurrency {settings.Concurrency}");
        report.Add("limits-cost", S, "unlimited_jobs_per_s_beside_limited_backlog", beside, "jobs/s",
            note: $"the same, with {backlog:N0} pending jobs of a type limited to 600 starts per minute");
        report.Add("limits-cost", S, "ratio_beside_vs_alone", 100 * beside / alone, "%", atLeast: 80);
    }

    private async Task<double> DrainUnlimitedAsync(int jobs, int backlog, CancellationToken ct)
    {
        await target.ResetAsync(ct);
        await using (var sp = target.Build(new Probe(), null))
        {
            var store = sp.GetRequiredService<IJobStore>();
            var client = sp.GetRequiredService<IJobClient>();
            if (backlog > 0)
            {
                await store.LimitSetAsync([new JobLimit { Scope = JobLimitScope.Type, Name = LimitedNoopArgs.Kind, Rate = 600, RatePeriod = TimeSpan.FromMinutes(1) }], "bench", ct);
                Report.Progress($"{S}: enqueueing a limited backlog of {backlog:N0}");
                for (var left = backlog; left > 0; left -= 10_000)
                    await client.EnqueueManyAsync(Enumerable.Range(0, Math.Min(10_000, left)).Select(i => new LimitedNoopArgs(i)), cancellationToken: ct);
            }
            for (var left = jobs; left > 0; left -= 10_000)
                await client.EnqueueManyAsync(Enumerable.Range(0, Math.Min(10_000, left)).Select(_ => new NoopArgs(0)), cancellationToken: ct);
        }
        Report.Progress($"{S}: draining {jobs:N0} unlimited jobs{(backlog > 0 ? $" beside {backlog:N0} limited ones" : "")}");
        await using var child = ChildWorker.Start([.. target.ChildArgs(), "--expect", N(jobs), "--concurrency", N(settings.Concurrency)]);
        var r = await child.ResultAsync(TimeSpan.FromMinutes(10), ct);
        return r.JobsPerSecond;
    }

    /// <summary>
    /// Four worker processes on PostgreSQL for <paramref name="minutes"/> whole clock minutes: a type limited to 600 starts per
    /// minute (its starts per clock minute counted from started_at), and a type limited to 3 running at once (the running
    /// count sampled from the database every 10 ms by this process).
    /// </summary>
    public async Task AccuracyAsync(int minutes, CancellationToken ct)
    {
        await target.ResetAsync(ct);
        await using (var sp = target.Build(new Probe(), null))
        {
            var client = sp.GetRequiredService<IJobClient>();
            await sp.GetRequiredService<IJobStore>().LimitSetAsync([
                new JobLimit { Scope = JobLimitScope.Type, Name = LimitedNoopArgs.Kind, Rate = 600, RatePeriod = TimeSpan.FromMinutes(1) },
                new JobLimit { Scope = JobLimitScope.Type, Name = SlowLimitedArgs.Kind, Concurrency = 3 },
            ], "bench", ct);
            await client.EnqueueManyAsync(Enumerable.Range(0, 600 * (minutes + 2) + 1000).Select(i => new LimitedNoopArgs(i)), cancellationToken: ct);
            await client.EnqueueManyAsync(Enumerable.Range(0, 200 * 60 * (minutes + 2)).Select(_ => new SlowLimitedArgs(20)), cancellationToken: ct);
        }
        // Whole clock minutes are measured: the workers start now and run into the minute after the last measured one.
        var start = DateTimeOffset.UtcNow;
        var firstMinute = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        var end = firstMinute.AddMinutes(minutes);
        var run = (end - start).TotalSeconds + 5;
        Report.Progress($"{S}: 4 worker processes until {end:HH:mm:ss}Z; measuring {firstMinute:HH:mm}–{end:HH:mm}Z");
        var children = Enumerable.Range(0, 4).Select(_ => ChildWorker.Start([.. target.ChildArgs(), "--expect", "100000000", "--concurrency", "16",
            "--poll-ms", "200", "--seconds", run.ToString(CultureInfo.InvariantCulture)])).ToList();
        long samples = 0;
        var maxRunning = 0L;
        try
        {
            await using var ds = NpgsqlDataSource.Create(target.Connection);
            await using var sample = ds.CreateCommand($"SELECT count(*) FROM \"{target.Schema}\".jobs WHERE status = 'processing' AND kind = '{SlowLimitedArgs.Kind}'");
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            while (DateTimeOffset.UtcNow < end && await timer.WaitForNextTickAsync(ct))
            {
                maxRunning = Math.Max(maxRunning, (long)(await sample.ExecuteScalarAsync(ct))!);
                samples++;
            }
            foreach (var child in children) await child.ResultAsync(TimeSpan.FromMinutes(2), ct);

            await using var perMinute = ds.CreateCommand($"""
                SELECT date_trunc('minute', started_at), count(*) FROM "{target.Schema}".jobs
                WHERE kind = '{LimitedNoopArgs.Kind}' AND started_at >= @from AND started_at < @to GROUP BY 1 ORDER BY 1
                """);
            perMinute.Parameters.AddWithValue("from", firstMinute.UtcDateTime);
            perMinute.Parameters.AddWithValue("to", end.UtcDateTime);
            var counts = new List<long>();
            await using (var r = await perMinute.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) counts.Add(r.GetInt64(1));
            while (counts.Count < minutes) counts.Add(0);
            for (var i = 0; i < counts.Count; i++)
                report.Add("limits-accuracy", S, $"starts_in_minute_{i + 1}", counts[i], "jobs", note: "rate limit 600 per minute, 4 worker processes × 16");
            var worst = counts.Max(c => Math.Abs(c - 600) / 6.0);
            report.Add("limits-accuracy", S, "worst_minute_deviation_from_600", worst, "%", atMost: 1, note: $"{minutes} whole clock minutes");
            report.Add("limits-accuracy", S, "concurrency_limit_3_max_running_sampled", maxRunning, "jobs", atMost: 3,
                note: $"{samples:N0} samples of the database over {minutes} min (10 ms period; fewer when the machine is loaded)");
        }
        finally
        {
            foreach (var child in children) await child.DisposeAsync();
        }
    }
}
