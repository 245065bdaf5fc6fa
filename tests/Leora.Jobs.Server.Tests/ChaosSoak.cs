using System.Globalization;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit.Abstractions;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// The chaos soak (issue 17): HTTP enqueues at a fixed rate from four clients, the service and three worker processes,
/// a random worker killed with SIGKILL every 20–60 s (15–40 s in the short run) and started again, and on PostgreSQL the server restarted (every
/// 5 minutes; once in the short run). At the end every acknowledged job is stored once, under its key and id, and
/// completed (none stuck, none failed); the service's memory after warm-up grows less than 10 %; and each minute's
/// enqueue p99 stays within 2× of the first minute's. 2 minutes in CI; 30 with LEORA_SOAK_LONG=1 (docs/benchmarks.md).
/// </summary>
internal static class ChaosSoak
{
    public static bool Long => Environment.GetEnvironmentVariable("LEORA_SOAK_LONG") == "1";

    private const int Clients = 4;
    private const double PerClientPerSecond = 5;
    private const int WorkerCount = 3;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WarmUp = TimeSpan.FromMinutes(1);

    // A p99 below this is noise on a shared 2-core machine (one GC pause, a neighbour's build): the comparison is made
    // against at least this much, so that it catches a trend (a queue that grows, a leak that slows every request), not jitter.
    private const double P99FloorMs = 50;

    // In the 2-minute CI run: a minute's p99 above this is a stall, whatever the first minute measured.
    private const double ShortRunP99CeilingMs = 2000;

    public static async Task RunAsync(string provider, ITestOutputHelper output)
    {
        var duration = Long ? TimeSpan.FromMinutes(30) : TimeSpan.FromMinutes(2);
        // Long: every 5 minutes; short: once, after the first minute (the baseline) and before the memory's last samples.
        var restartEvery = Long ? TimeSpan.FromMinutes(5) : TimeSpan.FromSeconds(70);
        // At least two kills in the short run, whatever the seed draws.
        var (killMin, killMax) = Long ? (20, 61) : (15, 41);
        var seed = Environment.TickCount;
        var random = new Random(seed);

        await using var cluster = provider == "postgresql" ? await PostgresCluster.StartAsync() : null;
        using var sqlite = new TempSqlite();
        var database = cluster is null
            ? new Dictionary<string, string> { ["ConnectionStrings__Jobs"] = sqlite.ConnectionString }
            : new Dictionary<string, string> { ["Jobs__Provider"] = "postgresql", ["ConnectionStrings__Jobs"] = cluster.ConnectionString };
        await using var rig = await ChaosRig.StartAsync(sqlite.Directory, database, WorkerCount, Lease);
        var start = rig.Elapsed;
        rig.StartClients(Clients, PerClientPerSecond, "soak");

        var memory = new List<(TimeSpan At, long Kib)>();
        var restarts = new List<(TimeSpan From, TimeSpan To)>();
        var kills = 0;
        var nextSample = start;
        var nextKill = start + TimeSpan.FromSeconds(random.Next(killMin, killMax));
        var nextRestart = start + restartEvery;
        // The chaos schedule, checked four times a second: what happens is decided by the clock, what is checked waits on conditions.
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (rig.Elapsed - start < duration && await tick.WaitForNextTickAsync())
        {
            var now = rig.Elapsed;
            if (now >= nextSample)
            {
                memory.Add((now - start, rig.ServiceRssKib()));
                nextSample += SampleEvery;
            }
            if (now >= nextKill)
            {
                var victim = random.Next(WorkerCount);
                await rig.KillWorkerAsync(victim);
                await rig.StartWorkerAsync(victim);
                kills++;
                nextKill = rig.Elapsed + TimeSpan.FromSeconds(random.Next(killMin, killMax));
            }
            if (cluster is not null && now >= nextRestart)
            {
                await cluster.RestartAsync();
                restarts.Add((now - start, rig.Elapsed - start));
                nextRestart += restartEvery;
            }
        }
        await rig.StopClientsAsync();

        // Every acknowledged job completes: the jobs of killed workers after their lease, those cut off by a restart too.
        var acknowledged = rig.Acknowledged.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var stored = await Eventually.WaitAsync(() => StoredAsync(provider, cluster, sqlite),
            s => acknowledged.Keys.All(k => s.GetValueOrDefault(k).Status == "completed"), TimeSpan.FromMinutes(3),
            "every acknowledged job to complete");
        var runs = rig.RunsByKey();

        // Memory: the mean of the samples of the half minute after warm-up against that of the last half minute.
        var baselineKib = memory.Where(m => m.At >= WarmUp && m.At < WarmUp + TimeSpan.FromSeconds(30)).Average(m => m.Kib);
        var endKib = memory.Where(m => m.At >= duration - TimeSpan.FromSeconds(30)).Average(m => m.Kib);
        var growth = endKib / baselineKib - 1;

        // Enqueue p99 per minute; requests that met a restart (from 2 s before it to 10 s after) measure the outage, not the service.
        var minutes = rig.Latencies
            .Where(l => l.Started >= start && l.Started - start < TimeSpan.FromMinutes(Math.Floor(duration.TotalMinutes)))
            .Where(l => !restarts.Any(r => l.Started - start >= r.From - TimeSpan.FromSeconds(2) && l.Started - start <= r.To + TimeSpan.FromSeconds(10)))
            .GroupBy(l => (int)((l.Started - start).TotalMinutes))
            .OrderBy(g => g.Key)
            .Select(g => (Minute: g.Key, P99: Percentile(g.Select(l => l.Milliseconds), 0.99), Count: g.Count()))
            .ToList();
        var first = minutes.Single(m => m.Minute == 0).P99;
        // The long run holds the bounds (p99 within 2x of the first minute, memory +10 %). The 2-minute CI run on a
        // shared, busy machine has a first minute too short and noisy to be a baseline (a neighbour's build doubled one
        // minute's p99 in a CI run): there the bounds catch a stall or a runaway leak, not jitter.
        var allowed = Long ? 2 * Math.Max(first, P99FloorMs) : Math.Max(2 * Math.Max(first, P99FloorMs), ShortRunP99CeilingMs);
        var maxGrowth = Long ? 0.10 : 0.25;

        var inv = CultureInfo.InvariantCulture;
        var figures =
            string.Create(inv, $"{provider} chaos soak, {duration.TotalMinutes:0} min (seed {seed}): {acknowledged.Count} jobs acknowledged ") +
            string.Create(inv, $"({acknowledged.Count / duration.TotalSeconds:0.0}/s from {Clients} clients), {rig.Unavailable} answers 503 (retried), ") +
            string.Create(inv, $"{kills} workers killed and restarted, {restarts.Count} database restarts; {runs.Count(p => p.Value > 1)} jobs ran more than once ") +
            string.Create(inv, $"(at-least-once after a kill), {runs.Values.Sum()} runs in all; service memory {baselineKib / 1024:0.0} MiB after warm-up, ") +
            string.Create(inv, $"{endKib / 1024:0.0} MiB at the end ({growth:+0.0%;-0.0%;0.0%}); enqueue p99 per minute (ms): ") +
            string.Join(", ", minutes.Select(m => string.Create(inv, $"{m.P99:0.0}")));
        output.WriteLine(figures);
        Console.WriteLine(figures);

        Assert.True(rig.Unexpected.IsEmpty, string.Join('\n', rig.Unexpected.Take(10)) + "\n" + rig.Logs());
        if (cluster is not null) Assert.NotEmpty(restarts);
        Assert.True(kills >= duration.TotalMinutes / 1.5, $"only {kills} kills");
        // Exactly one job per acknowledged key, with the id its reply gave, completed; nothing else stored.
        Assert.Equal(acknowledged.OrderBy(p => p.Key, StringComparer.Ordinal), stored.Select(p => KeyValuePair.Create(p.Key, p.Value.Id)).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.All(acknowledged.Keys, k => Assert.True(runs.GetValueOrDefault(k) >= 1, $"{k} completed without running"));
        Assert.All(rig.Workers, w => Assert.False(w!.HasExited, rig.Logs()));
        Assert.False(rig.Service.HasExited, rig.Logs());
        Assert.True(growth < maxGrowth, $"the service's memory grew {growth:P1} after warm-up. {figures}");
        Assert.All(minutes.Skip(1), m => Assert.True(m.P99 <= allowed, $"minute {m.Minute}: enqueue p99 {m.P99:0.0} ms, more than {allowed:0.0} ms. {figures}"));
    }

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>Each stored job's idempotency key, id and status, read by a connection of the test's own.</summary>
    private static async Task<Dictionary<string, (long Id, string Status)>> StoredAsync(string provider, PostgresCluster? cluster, TempSqlite sqlite)
    {
        var stored = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        if (provider == "postgresql")
        {
            await using var c = new NpgsqlConnection(cluster!.ConnectionString + ";Pooling=false");
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT idempotency_key, id, status FROM leora.jobs", c);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) stored.Add(r.GetString(0), (r.GetInt64(1), r.GetString(2)));
        }
        else
        {
            await using var c = new SqliteConnection(sqlite.ConnectionString + ";Pooling=false;Mode=ReadOnly");
            await c.OpenAsync();
            await using (var pragma = c.CreateCommand())
            {
                pragma.CommandText = "PRAGMA busy_timeout = 10000";
                await pragma.ExecuteNonQueryAsync();
            }
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT idempotency_key, id, status FROM leora_jobs";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) stored.Add(r.GetString(0), (r.GetInt64(1), r.GetString(2)));
        }
        return stored;
    }
}
