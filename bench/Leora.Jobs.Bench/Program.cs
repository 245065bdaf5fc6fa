using System.Globalization;
using Leora.Jobs.Bench;

// Leora Jobs benchmark. `run` (the default) runs the scenarios against SQLite and PostgreSQL and prints one JSON
// line per figure on stdout, a table on stderr; `worker` is the child worker process the drain scenarios start.
var a = new Args(args);
if (a.Verb == "worker") return await WorkerMode.RunAsync(a);
if (a.Verb != "run")
{
    Console.Error.WriteLine("usage: Leora.Jobs.Bench [run] [--pg CONNECTION] [--stores sqlite,postgresql] [--scenarios enqueue,work,growth,memory,latency,batch,workflows,http,dashboard,ceiling,hangfire,schedules,limits-cost,limits-accuracy] [--schedules N] [--workflows-jobs N] [--workflows-pairs N] [--full] [--concurrency N]");
    return 2;
}

var full = a.Flag("full");
var settings = new BenchSettings(
    EnqueueSeconds: a.Int("enqueue-seconds", 5),
    BulkCalls: a.Int("bulk-calls", 10),
    WorkJobs: a.Int("work-jobs", 100_000),
    Concurrency: a.Int("concurrency", 1000),
    GrowthFinished: a.Int("growth-finished", full ? 1_000_000 : 1_000_000),
    GrowthPending: a.Int("growth-pending", 100_000),
    MemoryJobs: a.Int("memory-jobs", full ? 1_000_000 : 200_000),
    LatencyJobs: a.Int("latency-jobs", 250),
    LatencyWarmup: 10,
    BatchCalls: a.Int("batch-calls", 30),
    PgBenchSeconds: a.Int("pgbench-seconds", 10),
    RemotePollMs: a.Int("remote-poll-ms", 1000),
    PgBenchPath: a.Get("pgbench"));

var pg = a.Get("pg") ?? Environment.GetEnvironmentVariable("LEORA_BENCH_PG") ?? Environment.GetEnvironmentVariable("LEORA_TEST_PG");
var stores = (a.Get("stores") ?? "sqlite,postgresql").Split(',', StringSplitOptions.RemoveEmptyEntries);
var scenarios = new HashSet<string>((a.Get("scenarios") ?? "ceiling,enqueue,work,growth,memory,latency,batch,workflows,http,schedules,hangfire").Split(',', StringSplitOptions.RemoveEmptyEntries));
if (stores.Contains("postgresql") && pg is null)
{
    Console.Error.WriteLine("PostgreSQL connection missing: pass --pg \"Host=127.0.0.1;Port=...;Username=...;Database=...\" or set LEORA_BENCH_PG.");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var ct = cts.Token;
var report = new Report();
var tmp = Path.Combine(Path.GetTempPath(), $"leora-bench-{Environment.ProcessId}");
Directory.CreateDirectory(tmp);
Report.Progress($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
report.Add("machine", "-", "load_average_1m_at_start", LoadAverage(), "runnable tasks", note: "other processes on the host compete for the same cores");
try
{
    if (scenarios.Contains("ceiling") && stores.Contains("postgresql"))
        await PgBench.RunAsync(pg!, settings.PgBenchPath, settings.PgBenchSeconds, report, ct);
    foreach (var store in stores)
    {
        var target = store == "postgresql" ? Target.PostgreSql(pg!, "leora_bench")
            : Target.Sqlite(Path.Combine(tmp, "jobs.db"), a.Flag("sqlite-without-timeline"));
        var s = new Scenarios(target, report, settings);
        if (scenarios.Contains("enqueue")) await s.EnqueueAsync(ct);
        double? empty = null;
        if (scenarios.Contains("work") || scenarios.Contains("growth")) empty = await s.WorkAsync(ct);
        if (scenarios.Contains("growth")) await s.GrowthAsync(empty!.Value, ct);
        if (scenarios.Contains("latency")) await s.LatencyAsync(ct);
        if (scenarios.Contains("batch")) await s.BatchAsync(ct);
        if (scenarios.Contains("memory")) await s.MemoryAsync(ct);
        if (scenarios.Contains("workflows")) await s.WorkflowsAsync(a.Int("workflows-jobs", 100_000), a.Int("workflows-pairs", 1), ct);
        if (scenarios.Contains("http")) await new HttpScenarios(target, report, settings).RunAsync(ct);
        if (scenarios.Contains("dashboard")) await new DashboardScenario(target, report).RunAsync(ct);
        if (scenarios.Contains("schedules")) await s.SchedulesAsync(a.Int("schedules", 10_000), ct);
        var limits = new LimitScenarios(target, report, settings);
        if (scenarios.Contains("limits-cost")) await limits.CostAsync(a.Int("limits-cost-jobs", 50_000), a.Int("limits-backlog", 100_000), ct);
        if (scenarios.Contains("limits-accuracy") && store == "postgresql") await limits.AccuracyAsync(a.Int("limits-minutes", 3), ct);
        await target.ResetAsync(ct);
        if (scenarios.Contains("hangfire")) await HangfirePeer.RunAsync(store, pg, tmp, report, settings, ct);
    }
    HangfirePeer.Ratios(report);
    var ceiling4 = report.Figures.FirstOrDefault(f => f.Name == "pgbench_one_row_update_4_clients");
    var pg4 = report.Figures.FirstOrDefault(f => f.Store == "postgresql" && f.Name == "single_4_clients");
    if (ceiling4 is not null && pg4 is not null)
        report.Add("enqueue", "postgresql", "single_4_clients_vs_pgbench", 100 * pg4.Value / ceiling4.Value, "%", atLeast: 60);
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
}
report.Add("machine", "-", "load_average_1m_at_end", LoadAverage(), "runnable tasks");
report.PrintSummary();
IssueGoals.Add(report);
IssueGoals.AddWorkflows(report);
return 0;

static double LoadAverage() => File.Exists("/proc/loadavg")
    ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
