using System.Diagnostics;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Leora.Jobs.Bench;

/// <summary>The scenarios of the issue, each run against one store. Every one is bounded in time or in jobs.</summary>
internal sealed class Scenarios(Target target, Report report, BenchSettings settings)
{
    private string S => target.Store;
    private bool Pg => target.Store == "postgresql";

    /// <summary>
    /// Runs <paramref name="call"/> from 4 loops, untimed, in rounds of a second until the JIT has settled: a round in which
    /// this process spent under 10 ms compiling (tiered compilation's rewrites of hot methods included), at most 60 s.
    /// A service runs for hours, so its figures are taken after that; a fixed warm-up of 3 s left the tiered compiler's
    /// thread busy for seconds more, 40–60 % of a core, taken from the loops it was timing.
    /// </summary>
    internal static async Task WarmUpAsync(Func<Task> call, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < until)
        {
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            await TimedLoopAsync(4, 1, call, ct);
            if (System.Runtime.JitInfo.GetCompilationTime() - jit < TimeSpan.FromMilliseconds(10)) return;
        }
        Report.Progress("warm-up: the JIT was still compiling after 60 s; timing anyway");
    }

    /// <summary>Single enqueues from 1 and 4 clients (each call its own transaction), then bulk calls of 10,000.</summary>
    public async Task EnqueueAsync(CancellationToken ct)
    {
        await target.ResetAsync(ct);
        await using var sp = target.Build(new Probe(), null);
        var client = sp.GetRequiredService<IJobClient>();
        // Warm-up: timed after tiered compilation has reached the hot paths, as in a process that runs for hours (the HTTP
        // scenario warms up the same way, so that its ratio to these figures compares like with like).
        await WarmUpAsync(() => client.EnqueueAsync(new NoopArgs(0), cancellationToken: ct), ct);
        // 32 as well: the HTTP scenario's figure at 32 connections is compared with the library at the same concurrency.
        // On PostgreSQL each concurrency is followed by the .NET client's own ceiling: pgbench's transaction (one-row
        // UPDATE) sent by Npgsql from this process, with the data source settings the store uses and no library at all.
        await using var npgsql = Pg ? await NpgsqlCeilingAsync(ct) : null;
        foreach (var clients in new[] { 1, 4, 32 })
        {
            var suffix = $"{clients}_client{(clients > 1 ? "s" : "")}";
            Report.Progress($"{S}: single enqueues from {clients} client{(clients > 1 ? "s" : "")} for {settings.EnqueueSeconds} s");
            var r = await TimedLoopAsync(clients, settings.EnqueueSeconds, () => client.EnqueueAsync(new NoopArgs(0), cancellationToken: ct), ct);
            report.Add("enqueue", S, $"single_{suffix}", r, "jobs/s", atLeast: clients == 4 && !Pg ? 2000 : null,
                note: clients == 4 && Pg ? "target: >= 60% of the pgbench ceiling with 4 clients (see pgbench figures)" : null);
            if (npgsql is null) continue;
            var u = await TimedLoopAsync(clients, settings.EnqueueSeconds, () => NpgsqlUpdateAsync(npgsql, ct), ct);
            report.Add("enqueue", S, $"npgsql_one_row_update_{suffix}", u, "tx/s",
                note: "pgbench's one-row UPDATE from Npgsql in this process, no library (the .NET client's ceiling)");
            if (clients == 4 && await PgBench.StoreInsertAsync(target.Connection, settings.PgBenchPath, target.Schema!, clients, (int)Math.Ceiling(settings.EnqueueSeconds), ct) is { } insert)
                report.Add("enqueue", S, "pgbench_store_insert_4_clients", insert, "tx/s",
                    note: "the store's own insert statement (a no-op job's values) run by pgbench -M prepared -c 4 into this table: the server's ceiling for an enqueue");
        }
        var batch = Enumerable.Range(0, 10_000).Select(_ => new NoopArgs(0)).ToArray();
        await client.EnqueueManyAsync(batch, cancellationToken: ct); // warm-up
        if (!Pg)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < settings.BulkCalls; i++) await client.EnqueueManyAsync(batch, cancellationToken: ct);
            report.Add("enqueue", S, "bulk_10k_per_call", settings.BulkCalls * 10_000 / sw.Elapsed.TotalSeconds, "jobs/s", atLeast: 100_000);
            return;
        }

        // PostgreSQL's goal is relative to what the server can insert: the same 10,000 rows per call written by a plain
        // INSERT … SELECT from generate_series into the same table (its indexes, its growing size), no parameters and
        // nothing sent back. The two alternate call by call, so that the machine's load falls on both alike.
        await using var raw = NpgsqlDataSource.Create(target.Connection);
        await RawInsertAsync(raw, ct); // warm-up
        var ours = TimeSpan.Zero;
        var ceiling = TimeSpan.Zero;
        double oursCpu = 0;
        for (var i = 0; i < settings.BulkCalls; i++)
        {
            var cpu = CpuMeter.Start();
            var sw = Stopwatch.StartNew();
            await client.EnqueueManyAsync(batch, cancellationToken: ct);
            ours += sw.Elapsed;
            oursCpu += cpu.Stop().ProcessSeconds;
            sw.Restart();
            await RawInsertAsync(raw, ct);
            ceiling += sw.Elapsed;
        }
        var oursRate = settings.BulkCalls * 10_000 / ours.TotalSeconds;
        var ceilingRate = settings.BulkCalls * 10_000 / ceiling.TotalSeconds;
        report.Add("enqueue", S, "bulk_10k_per_call", oursRate, "jobs/s", atLeast: 100_000);
        report.Add("enqueue", S, "bulk_10k_client_cpu_share", 100 * oursCpu / ours.TotalSeconds, "%",
            note: $"this process's CPU during the bulk calls, of their time: {1000 * oursCpu / settings.BulkCalls:0} ms of {ours.TotalMilliseconds / settings.BulkCalls:0} ms per 10,000-job call (building, serialising and encoding the rows, reading the ids)");
        report.Add("enqueue", S, "raw_insert_select_10k_per_call", ceilingRate, "rows/s",
            note: "the ceiling: INSERT INTO jobs … SELECT … FROM generate_series(1, 10000), the same rows into the same table, alternating with the bulk calls");
        report.Add("enqueue", S, "bulk_10k_vs_raw_insert_select", 100 * oursRate / ceilingRate, "%", atLeast: 90);
    }

    // pgbench's table and statement (PgBench.cs), created here too so that the enqueue scenario runs without the ceiling.
    private async Task<NpgsqlDataSource> NpgsqlCeilingAsync(CancellationToken ct)
    {
        var builder = new NpgsqlDataSourceBuilder(target.Connection);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        var ds = builder.Build();
        await PgBench.CreateTableAsync(ds, ct);
        await WarmUpAsync(() => NpgsqlUpdateAsync(ds, ct), ct);
        return ds;
    }

    private static async Task NpgsqlUpdateAsync(NpgsqlDataSource ds, CancellationToken ct)
    {
        await using var c = await ds.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(PgBench.UpdateSql, c);
        cmd.Parameters.AddWithValue("id", Random.Shared.Next(1, 1001));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    // The columns a bulk enqueue of NoopArgs writes, with the values it writes; the rest take the table's defaults.
    private async Task RawInsertAsync(NpgsqlDataSource raw, CancellationToken ct)
    {
        await using var cmd = raw.CreateCommand($$"""
            INSERT INTO "{{target.Schema}}".jobs (kind, queue, status, priority, payload, max_attempts, created_at, run_at, limited)
            SELECT '{{NoopArgs.Kind}}', 'default', 'pending', 0, '{"enqueuedAtUs":0}'::jsonb, 3, now(), now(), false
            FROM generate_series(1, 10000)
            """);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs <paramref name="call"/> from <paramref name="clients"/> loops for <paramref name="seconds"/>: calls per second and the CPU they took.</summary>
    internal static async Task<LoopResult> TimedLoopAsync(int clients, double seconds, Func<Task> call, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long done = 0;
        var cpu = CpuMeter.Start();
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < until && !ct.IsCancellationRequested)
            {
                await call();
                Interlocked.Increment(ref done);
            }
        }, ct)));
        var elapsed = sw.Elapsed.TotalSeconds;
        return new LoopResult(done / elapsed, done, cpu.Stop());
    }

    /// <summary>Drains a backlog of no-op jobs with one worker process; returns jobs/s.</summary>
    public async Task<WorkerResult> DrainAsync(string scenario, int jobs, int seedFinished, CancellationToken ct)
    {
        await target.ResetAsync(ct);
        if (seedFinished > 0)
        {
            Report.Progress($"{S}: seeding {seedFinished:N0} finished rows");
            await target.SeedFinishedAsync(seedFinished, ct);
        }
        Report.Progress($"{S}: enqueueing a backlog of {jobs:N0}");
        await using (var sp = target.Build(new Probe(), null))
        {
            var client = sp.GetRequiredService<IJobClient>();
            for (var left = jobs; left > 0; left -= 10_000)
                await client.EnqueueManyAsync(Enumerable.Range(0, Math.Min(10_000, left)).Select(_ => new NoopArgs(0)), cancellationToken: ct);
        }
        Report.Progress($"{S}: draining {jobs:N0} with one worker process (concurrency {settings.Concurrency})");
        var cpu = CpuMeter.Start();
        var result = await RunWorkerAsync(jobs, ct) with { Cpu = cpu.Stop() };
        await using (var sp = target.Build(new Probe(), null))
        {
            var counts = await sp.GetRequiredService<IJobStore>().JobCountByStatusAsync(ct);
            var completed = counts.GetValueOrDefault(JobStatus.Completed) - seedFinished;
            if (completed != jobs) throw new InvalidOperationException($"{scenario}: expected {jobs} completed jobs, found {completed}.");
        }
        return result;
    }

    /// <summary>One worker process (concurrency <see cref="BenchSettings.Concurrency"/>) until <paramref name="expect"/> jobs have started.</summary>
    private async Task<WorkerResult> RunWorkerAsync(int expect, CancellationToken ct)
    {
        await using var child = ChildWorker.Start([.. target.ChildArgs(), "--expect", expect.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--concurrency", settings.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return await child.ResultAsync(TimeSpan.FromMinutes(10), ct);
    }

    /// <summary>
    /// Issue 14: the children of one batch against as many plain no-op jobs, in the same run. Each pair drains
    /// <paramref name="jobs"/> plain jobs (as <see cref="WorkAsync"/> does), then a batch of <paramref name="jobs"/> no-op
    /// children with a no-op completion callback, created before the worker starts and drained by the same kind of worker
    /// process until the callback starts. What the children pay that plain jobs do not: the workflow trigger on each
    /// outcome (the count into the batch row, in the outcome's transaction) and the callback's release. Goal ≥ 80 %.
    /// </summary>
    public async Task WorkflowsAsync(int jobs, int pairs, CancellationToken ct)
    {
        double plainSeconds = 0, batchSeconds = 0;
        var plainSteady = new List<double>();
        var batchSteady = new List<double>();
        for (var i = 0; i < pairs; i++)
        {
            var plain = await DrainAsync("workflows", jobs, 0, ct);
            var batch = await DrainBatchAsync(jobs, ct);
            plainSeconds += plain.Seconds;
            batchSeconds += batch.Seconds;
            if (plain.SteadyJobsPerSecond is { } p) plainSteady.Add(p);
            if (batch.SteadyJobsPerSecond is { } b) batchSteady.Add(b);
            Report.Progress($"{S}: pair {i + 1}: plain {jobs / plain.Seconds:N0} jobs/s, batch children {jobs / batch.Seconds:N0} jobs/s");
        }
        var plainRate = pairs * jobs / plainSeconds;
        var batchRate = pairs * jobs / batchSeconds;
        var drains = $"{pairs} pair{(pairs > 1 ? "s" : "")} of {jobs:N0}-job drains, concurrency {settings.Concurrency}, from the worker's start";
        report.Add("workflows", S, "plain_drain_jobs_per_s", plainRate, "jobs/s", note: $"{drains} to its last job");
        report.Add("workflows", S, "batch_children_jobs_per_s", batchRate, "jobs/s",
            note: $"{drains} to the start of the batch's callback (released when the last child finished)");
        report.Add("workflows", S, "batch_children_vs_plain", 100 * batchRate / plainRate, "%", atLeast: 80,
            note: "the rate of running the children of a batch, of the rate of as many plain no-op jobs, same run");
        if (plainSteady.Count > 0 && batchSteady.Count > 0)
            report.Add("workflows", S, "batch_children_vs_plain_after_warmup", 100 * batchSteady.Average() / plainSteady.Average(), "%",
                note: "diagnostic: the same, each drain timed from its 10th percentile job (without start-up and JIT)");
    }

    /// <summary>A batch of <paramref name="jobs"/> no-op children and a no-op completion callback, drained by one worker process.</summary>
    private async Task<WorkerResult> DrainBatchAsync(int jobs, CancellationToken ct)
    {
        await target.ResetAsync(ct);
        Report.Progress($"{S}: creating a batch of {jobs:N0} children with a completion callback");
        long batchId, callback;
        static WorkflowJob Child() => WorkflowJob.For(new NoopArgs(0));
        await using (var sp = target.Build(new Probe(), null))
        {
            // In calls of 10,000, as the plain backlog is enqueued; no worker runs yet, so the batch cannot finish early.
            var workflows = sp.GetRequiredService<IJobWorkflows>();
            var first = await workflows.CreateBatchAsync(new JobBatchRequest
            {
                Description = "bench workflows",
                Jobs = [.. Enumerable.Range(0, Math.Min(10_000, jobs)).Select(_ => Child())],
                OnComplete = Child(),
            }, ct);
            batchId = first.BatchId!.Value;
            callback = first.OnCompleteJobId!.Value;
            for (var left = jobs - 10_000; left > 0; left -= 10_000)
                await workflows.AddToBatchAsync(batchId, [.. Enumerable.Range(0, Math.Min(10_000, left)).Select(_ => Child())], ct);
        }
        Report.Progress($"{S}: draining the batch's {jobs:N0} children and its callback with one worker process (concurrency {settings.Concurrency})");
        // The callback is released only once every child has finished, so the last of jobs + 1 starts is the callback's.
        var result = await RunWorkerAsync(jobs + 1, ct);
        await using (var sp = target.Build(new Probe(), null))
        {
            var batch = await sp.GetRequiredService<IJobWorkflows>().GetBatchAsync(batchId, ct);
            var done = await sp.GetRequiredService<IJobClient>().GetAsync(callback, ct);
            if (batch is not { Completed: var completed, Pending: 0 } || completed != jobs || done?.Status != JobStatus.Completed)
                throw new InvalidOperationException($"workflows: expected {jobs} completed children and the callback completed, found " +
                    $"{batch?.Completed} completed, {batch?.Pending} pending, callback {done?.Status}.");
        }
        return result;
    }

    public async Task<double> WorkAsync(CancellationToken ct)
    {
        var r = await DrainAsync("work", settings.WorkJobs, 0, ct);
        report.Add("work", S, "drain_jobs_per_s", r.JobsPerSecond, "jobs/s", atLeast: Pg ? 25_000 : 10_000, note: $"{r.Jobs:N0} jobs in {r.Seconds:0.0} s, concurrency {settings.Concurrency}, from the worker's start (JIT warm-up included); CPU over the worker process's life, start to exit",
            cpu: r.Cpu, calls: r.Jobs);
        if (r.SteadyJobsPerSecond is { } steady)
            report.Add("work", S, "drain_jobs_per_s_after_warmup", steady, "jobs/s", atLeast: Pg ? 20_000 : 10_000,
                note: "the same drain timed from its 10th percentile job to its last: a long-running worker's rate, without start-up and JIT");
        if (r.WarmSeconds is { } warm && r.SteadyJobsPerSecond is { } rate)
        {
            report.Add("work", S, "drain_first_tenth_seconds", warm, "s", note: $"from the worker's start to its {r.Jobs / 10:N0}th job");
            report.Add("work", S, "drain_first_tenth_seconds_at_steady_rate", r.Jobs / 10 / rate, "s", note: "the same jobs at the rate after warm-up");
        }
        if (r.JitMs is { } jit)
            report.Add("work", S, "drain_jit_ms", jit, "ms", note: $"the JIT's compile time in the worker over the drain (all threads), {r.JitMethods:N0} methods");
        return r.JobsPerSecond;
    }

    public async Task GrowthAsync(double emptyRate, CancellationToken ct)
    {
        var r = await DrainAsync("growth", settings.GrowthPending, settings.GrowthFinished, ct);
        report.Add("growth", S, "drain_jobs_per_s_with_history", r.JobsPerSecond, "jobs/s", note: $"{settings.GrowthFinished:N0} finished + {settings.GrowthPending:N0} pending rows");
        report.Add("growth", S, "ratio_vs_empty_table", 100 * r.JobsPerSecond / emptyRate, "%", atLeast: 80);
    }

    public async Task MemoryAsync(CancellationToken ct)
    {
        var r = await DrainAsync("memory", settings.MemoryJobs, 0, ct);
        report.Add("memory", S, "worker_peak_rss", r.PeakRssMb, "MB", atMost: 250, note: $"VmHWM of the worker process draining {settings.MemoryJobs:N0} jobs ({r.JobsPerSecond:0} jobs/s)");
    }

    /// <summary>Idle queue, one job every 20 ms, enqueue call → handler start; worker in this process and in another one.</summary>
    public async Task LatencyAsync(CancellationToken ct)
    {
        await target.ResetAsync(ct);
        var probe = new Probe();
        await using (var sp = target.Build(probe, o => { o.Concurrency = 4; o.PollInterval = TimeSpan.FromSeconds(1); }))
        {
            var worker = sp.GetRequiredService<JobWorker>();
            await worker.StartAsync(ct);
            var client = sp.GetRequiredService<IJobClient>();
            await PaceAsync(client, probe, settings.LatencyJobs, ct);
            await worker.StopAsync(ct);
            Latency("latency_same_process", probe.LatenciesMs.Skip(settings.LatencyWarmup).ToList());
        }

        await target.ResetAsync(ct);
        var total = settings.LatencyJobs;
        var warmup = settings.LatencyWarmup;
        await using var child = ChildWorker.Start([.. target.ChildArgs(), "--expect", (total + warmup).ToString(System.Globalization.CultureInfo.InvariantCulture), "--concurrency", "4",
            "--poll-ms", settings.RemotePollMs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await child.Ready.WaitAsync(TimeSpan.FromMinutes(1), ct);
        await using (var sp = target.Build(new Probe(), null))
        {
            // Warm-up jobs (no latency recorded) so that JIT and connection setup in the worker are not measured.
            var client = sp.GetRequiredService<IJobClient>();
            for (var i = 0; i < warmup; i++) await client.EnqueueAsync(new NoopArgs(0), cancellationToken: ct);
            var store = sp.GetRequiredService<IJobStore>();
            var deadline = Stopwatch.StartNew();
            while ((await store.JobCountByStatusAsync(ct)).GetValueOrDefault(JobStatus.Completed) < warmup && deadline.Elapsed < TimeSpan.FromMinutes(1))
                await Task.Delay(50, ct);
            await PaceAsync(client, null, total, ct);
        }
        var r = await child.ResultAsync(TimeSpan.FromMinutes(2), ct);
        report.Add("latency", S, "latency_other_process_p50", r.P50Ms ?? double.NaN, "ms", atMost: Pg ? 3 : 10,
            note: Pg ? "worker in another process: woken by LISTEN/NOTIFY when available, else polling" : "worker in another process: woken by the change notification of the database's -wal file, else polling");
        report.Add("latency", S, "latency_other_process_p99", r.P99Ms ?? double.NaN, "ms", atMost: Pg ? 15 : 50);

        void Latency(string name, List<double> ms)
        {
            report.Add("latency", S, name + "_p50", Report.Percentile(ms, 50), "ms", atMost: Pg ? 3 : 2, note: $"{ms.Count} jobs, one every 20 ms");
            report.Add("latency", S, name + "_p95", Report.Percentile(ms, 95), "ms");
            report.Add("latency", S, name + "_p99", Report.Percentile(ms, 99), "ms", atMost: Pg ? 15 : 10);
        }
    }

    private static async Task PaceAsync(IJobClient client, Probe? probe, int count, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < count; i++)
        {
            await timer.WaitForNextTickAsync(ct);
            await client.EnqueueAsync(new NoopArgs(Probe.NowUs()), cancellationToken: ct);
        }
        if (probe is not null)
        {
            probe.Expect(count);
            await probe.Reached.WaitAsync(TimeSpan.FromMinutes(1), ct);
        }
    }

    /// <summary>The batch endpoint's work: <c>ProcessBatchAsync(maxJobs: 100)</c> of no-op jobs, median call time.</summary>
    public async Task BatchAsync(CancellationToken ct)
    {
        await target.ResetAsync(ct);
        await using var sp = target.Build(new Probe(), null);
        var client = sp.GetRequiredService<IJobClient>();
        var processor = sp.GetRequiredService<IJobProcessor>();
        var calls = settings.BatchCalls;
        await client.EnqueueManyAsync(Enumerable.Range(0, 100 * (2 * calls + 4)).Select(_ => new NoopArgs(0)), cancellationToken: ct);
        foreach (var concurrency in new int?[] { null, 100 })
        {
            for (var i = 0; i < 2; i++) await processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 100, Concurrency = concurrency }, ct); // warm-up
            var times = new List<double>();
            for (var i = 0; i < calls; i++)
            {
                var sw = Stopwatch.StartNew();
                var r = await processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 100, Concurrency = concurrency }, ct);
                times.Add(sw.Elapsed.TotalMilliseconds);
                if (r.Succeeded != 100) throw new InvalidOperationException($"batch: expected 100 jobs per call, got {r.Succeeded}.");
            }
            if (concurrency is null)
                report.Add("batch", S, "process_100_median", Report.Percentile(times, 50), "ms", atMost: 50,
                    note: "IJobProcessor.ProcessBatchAsync(maxJobs 100, default concurrency 4) in-process, the work behind POST /api/jobs/process; HTTP overhead not included");
            else
                report.Add("batch", S, "process_100_concurrency_100_median", Report.Percentile(times, 50), "ms",
                    note: "diagnostic: the same with concurrency=100 (one claim, one batched completion)");
        }
    }

    /// <summary>
    /// <paramref name="count"/> schedules, every one firing at the same minute; after the tick, one evaluator (the leader's
    /// <c>IJobSchedules.EnqueueDueAsync</c>, as the batch endpoint also calls it) enqueues them. The figure is the time from
    /// the tick to the last of them enqueued (the evaluator starts at the tick, as the leader's one-second loop would).
    /// </summary>
    public async Task SchedulesAsync(int count, CancellationToken ct)
    {
        await target.ResetAsync(ct);
        await using var sp = target.Build(new Probe(), null);
        var store = sp.GetRequiredService<IJobStore>();
        var schedules = sp.GetRequiredService<IJobSchedules>();
        // The tick: the first whole minute at least 20 s away, so that creating the schedules fits before it.
        var now = DateTimeOffset.UtcNow;
        var tick = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(now.Second < 40 ? 1 : 2);
        Report.Progress($"{S}: creating {count:N0} schedules due at {tick:HH:mm:ss}");
        var created = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            await store.ScheduleInsertAsync(new ScheduleRow
            {
                Name = $"bench-{i:D5}",
                Cron = "* * * * *",
                TimeZone = "UTC",
                Kind = NoopArgs.Kind,
                Payload = """{"n":0}""",
                Enabled = true,
                Misfire = "latest",
                MisfireLimit = 10,
                Overlap = "allow",
                NextRunAt = tick,
            }, token);
            Interlocked.Increment(ref created);
        });
        if (DateTimeOffset.UtcNow >= tick) throw new InvalidOperationException($"schedules: creating {count:N0} schedules took past the tick; the figure would include that.");
        await Task.Delay(tick - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(1), ct);
        // The evaluator reads the time from the store (the database's clock), and a timer may wake a millisecond early:
        // start once the store says the tick has come (a run once found nothing due 1 ms after the tick).
        while (await store.NowAsync(ct) < tick) await Task.Delay(1, ct);
        var sw = Stopwatch.StartNew();
        var late = DateTimeOffset.UtcNow - tick;
        var enqueued = 0;
        while (enqueued < count)
        {
            var n = await schedules.EnqueueDueAsync(ct);
            if (n == 0) throw new InvalidOperationException($"schedules: only {enqueued:N0} of {count:N0} enqueued, and nothing more is due.");
            enqueued += n;
        }
        var seconds = (late + sw.Elapsed).TotalSeconds;
        report.Add("schedules", S, $"enqueue_{count}_due_at_one_tick", seconds, "s", atMost: 5,
            note: $"{count:N0} schedules due at the same minute, one evaluator (IJobSchedules.EnqueueDueAsync, 500 per transaction); from the tick to the last job enqueued");
    }
}

/// <summary>Sizes of the scenarios; <c>--full</c> uses the issue's sizes everywhere.</summary>
internal sealed record BenchSettings(
    double EnqueueSeconds, int BulkCalls, int WorkJobs, int Concurrency, int GrowthFinished, int GrowthPending,
    int MemoryJobs, int LatencyJobs, int LatencyWarmup, int BatchCalls, int PgBenchSeconds, int RemotePollMs, string? PgBenchPath = null);
