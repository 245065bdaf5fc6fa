using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Npgsql;

namespace Leora.Jobs.Bench;

/// <summary>
/// Hangfire 1.8 side by side, on the same PostgreSQL server and the same disk: single enqueues from one client, a
/// backlog drained by one BackgroundJobServer, and enqueue → job start latency on an idle queue (server in this
/// process). Ratios ours/theirs (latency: theirs/ours) are added at the end of the run.
/// </summary>
internal static class HangfirePeer
{
    // Latency: an idle queue, one job every 20 ms. Kept small because a default Hangfire poller may wait up to its
    // QueuePollInterval (15 s on both storages) before it sees a job; every wait below is bounded.
    private const int LatencyJobs = 100;
    private const int LatencyWarmup = 5;
    private static readonly TimeSpan LatencyTimeout = TimeSpan.FromSeconds(45);

    public static async Task RunAsync(string store, string? pg, string tmp, Report report, BenchSettings settings, CancellationToken ct)
    {
        if (store == "postgresql")
        {
            await using var ds = NpgsqlDataSource.Create(pg!);
            await using var cmd = ds.CreateCommand("DROP SCHEMA IF EXISTS hangfire_bench CASCADE");
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var storage = CreateStorage(store, pg, tmp);
        using var owned = storage as IDisposable;
        var client = new BackgroundJobClient(storage);
        client.Enqueue(() => HangfireNoop.Run()); // warm-up, creates the schema

        var until = Stopwatch.GetTimestamp() + (long)(settings.EnqueueSeconds * Stopwatch.Frequency);
        var sw = Stopwatch.StartNew();
        long enqueued = 0;
        await Task.Run(() =>
        {
            while (Stopwatch.GetTimestamp() < until && !ct.IsCancellationRequested)
            {
                client.Enqueue(() => HangfireNoop.Run());
                enqueued++;
            }
        }, ct);
        report.Add("hangfire", store, "single_1_client", enqueued / sw.Elapsed.TotalSeconds, "jobs/s", note: "Hangfire 1.8.25 BackgroundJobClient.Enqueue");

        // Drain everything enqueued so far (warm-up included) with one server of 20 workers (Hangfire's usual setting).
        var total = enqueued + 1;
        HangfireNoop.Expect(total);
        sw.Restart();
        using (var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = 20 }, storage))
        {
            await HangfireNoop.Reached.WaitAsync(TimeSpan.FromMinutes(5), ct);
            report.Add("hangfire", store, "drain_jobs_per_s", total / sw.Elapsed.TotalSeconds, "jobs/s", note: $"{total:N0} jobs, 20 workers, one process (this one)");
            server.SendStop();
        }

        // Latency with Hangfire's defaults (storage options and server options untouched), then, as a separate figure,
        // with the 200 ms QueuePollInterval the storage above was configured with.
        var defaults = CreateDefaultStorage(store, pg, tmp, out var defaultsNote);
        using (defaults as IDisposable)
            await LatencyAsync(store, defaults, "latency", $"Hangfire defaults: {defaultsNote}", report, ct);
        await LatencyAsync(store, storage, "latency_poll_200ms", "not Hangfire's default: storage QueuePollInterval set to 200 ms (as for the drain above)", report, ct);
    }

    /// <summary>Idle queue, one job every 20 ms, enqueue call → job method start, one BackgroundJobServer with default options in this process.</summary>
    private static async Task LatencyAsync(string store, JobStorage storage, string name, string storageNote, Report report, CancellationToken ct)
    {
        var client = new BackgroundJobClient(storage);
        var options = new BackgroundJobServerOptions();
        Report.Progress($"hangfire {store}: {name}: {LatencyWarmup} warm-up jobs, then {LatencyJobs} jobs one every 20 ms ({storageNote}; server WorkerCount {options.WorkerCount})");
        var started = Stopwatch.StartNew();
        using var server = new BackgroundJobServer(options, storage);

        // Warm-up (no latency recorded): JIT, connections, and the server's workers up and polling.
        var warm = new Probe();
        HangfireNoop.LatencyProbe = warm;
        for (var i = 0; i < LatencyWarmup; i++) client.Enqueue(() => HangfireNoop.Start(0));
        warm.Expect(LatencyWarmup);
        await WaitBoundedAsync(warm.Reached, LatencyTimeout, ct);

        var probe = new Probe();
        HangfireNoop.LatencyProbe = probe;
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
            for (var i = 0; i < LatencyJobs; i++)
            {
                await timer.WaitForNextTickAsync(ct);
                client.Enqueue(() => HangfireNoop.Start(Probe.NowUs()));
            }
        probe.Expect(LatencyJobs);
        var complete = await WaitBoundedAsync(probe.Reached, LatencyTimeout, ct);
        server.SendStop();

        var ms = probe.LatenciesMs;
        var missing = complete ? "" : $"; TIMED OUT: {LatencyJobs - ms.Count} of {LatencyJobs} jobs had not started {LatencyTimeout.TotalSeconds:0} s after the last enqueue and are left out, so these percentiles understate the latency";
        var note = $"{ms.Count} jobs, one every 20 ms after {LatencyWarmup} warm-up jobs; one BackgroundJobServer in this process with default options (WorkerCount {options.WorkerCount}); {storageNote}{missing}";
        report.Add("hangfire", store, name + "_p50", Report.Percentile(ms, 50), "ms", note: note);
        report.Add("hangfire", store, name + "_p95", Report.Percentile(ms, 95), "ms");
        report.Add("hangfire", store, name + "_p99", Report.Percentile(ms, 99), "ms");
        Report.Progress($"hangfire {store}: {name}: done in {started.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<bool> WaitBoundedAsync(Task task, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await task.WaitAsync(timeout, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static JobStorage CreateDefaultStorage(string store, string? pg, string tmp, out string note)
    {
        if (store != "postgresql")
        {
            var sqlite = new SQLiteStorageOptions();
            note = $"Hangfire.Storage.SQLite QueuePollInterval {sqlite.QueuePollInterval.TotalSeconds:0.###} s (its default), no in-process wake-up: "
                + "idle workers sleep the whole interval, so the 2 s burst of jobs waits for the next poll and the figures depend on where the burst falls in the cycle (here just after the warm-up's poll)";
            return new SQLiteStorage(Path.Combine(tmp, "hangfire-defaults.db"), sqlite);
        }
        // Only the schema name differs from the defaults (the bench's own schema, dropped at the start of the run).
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire_bench" };
        note = $"Hangfire.PostgreSql QueuePollInterval {options.QueuePollInterval.TotalSeconds:0.###} s, EnableLongPolling {options.EnableLongPolling} (its defaults); "
            + "enqueues from this process wake a waiting worker through an in-process event, so the poll interval is not on this path";
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(pg!, options), options);
    }

    private static JobStorage CreateStorage(string store, string? pg, string tmp)
    {
        if (store != "postgresql")
            return new SQLiteStorage(Path.Combine(tmp, "hangfire.db"), new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(200) });
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire_bench", QueuePollInterval = TimeSpan.FromMilliseconds(200), PrepareSchemaIfNecessary = true };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(pg!, options), options);
    }

    public static void Ratios(Report report)
    {
        foreach (var store in new[] { "postgresql", "sqlite" })
            foreach (var (ours, theirs) in new[] { ("single_1_client", "single_1_client"), ("drain_jobs_per_s", "drain_jobs_per_s") })
            {
                var o = report.Figures.FirstOrDefault(f => f.Store == store && f.Scenario is "enqueue" or "work" && f.Name == ours);
                var t = report.Figures.FirstOrDefault(f => f.Store == store && f.Scenario == "hangfire" && f.Name == theirs);
                if (o is not null && t is not null && t.Value > 0)
                    report.Add("hangfire", store, $"ratio_ours_to_hangfire_{ours}", o.Value / t.Value, "x");
            }

        // Latency: lower is better, so the ratio is theirs over ours (above 1: our jobs start sooner). Ours is the
        // worker in the same process as the client (Scenarios.LatencyAsync), like Hangfire's server here.
        foreach (var store in new[] { "postgresql", "sqlite" })
            foreach (var theirs in new[] { "latency", "latency_poll_200ms" })
                foreach (var p in new[] { "p50", "p95", "p99" })
                {
                    var o = report.Figures.FirstOrDefault(f => f.Store == store && f.Scenario == "latency" && f.Name == $"latency_same_process_{p}");
                    var t = report.Figures.FirstOrDefault(f => f.Store == store && f.Scenario == "hangfire" && f.Name == $"{theirs}_{p}");
                    if (o is not null && t is not null && o.Value > 0 && !double.IsNaN(t.Value))
                        report.Add("hangfire", store, $"{theirs}_{p}_theirs_over_ours", t.Value / o.Value, "x",
                            note: $"Hangfire's {theirs}_{p} divided by our latency_same_process_{p}; lower latency is better, so above 1 means our jobs start sooner");
                }
    }
}

/// <summary>Hangfire's no-op job. Hangfire invokes jobs by CLR method, so the counter is static (bench only).</summary>
public static class HangfireNoop
{
    private static long _count;
    private static long _target = long.MaxValue;
    private static TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task Reached => _reached.Task;

    public static void Expect(long target)
    {
        Interlocked.Exchange(ref _count, 0);
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _target, target);
    }

    public static void Run()
    {
        if (Interlocked.Increment(ref _count) >= Interlocked.Read(ref _target)) _reached.TrySetResult();
    }

    internal static Probe? LatencyProbe { get; set; }

    /// <summary>The latency job: <paramref name="enqueuedAtUs"/> is the wall clock at the enqueue call (0 for warm-up jobs).</summary>
    public static void Start(long enqueuedAtUs) => LatencyProbe?.Started(enqueuedAtUs);
}
