using System.Globalization;

namespace Leora.Jobs.Bench;

/// <summary>
/// The tables of issue 16 ("fast on the path users take") and issue 14 (workflows): each of their figures, from this
/// run's own measurements, with its goal and whether it is met. Ratios are computed here from figures of the same run
/// (HTTP against the in-process library at the same concurrency, bulk against the raw insert, ours against Hangfire, a
/// batch's children against plain jobs); a figure whose scenario did not run is listed as not measured.
/// </summary>
internal static class IssueGoals
{
    // Limit: for the issue-16 table, what this run measured of the resource that bounds the figure.
    private sealed record Row(string Figure, string Value, string Goal, bool? Met, string Limit = "");

    public static void Add(Report report)
    {
        var rows = new List<Row>();
        foreach (var store in new[] { "sqlite", "postgresql" })
        {
            foreach (var n in new[] { 1, 4, 32 })
            {
                var http = Find(report, store, "http", $"http_single_{n}_conn");
                var library = Find(report, store, "enqueue", $"single_{n}_client{(n > 1 ? "s" : "")}");
                rows.Add(Ratio(report, store, $"http_single_{n}_conn_vs_library", $"HTTP POST /api/jobs, {store}, {n} connection{(n > 1 ? "s" : "")}, of the library",
                    http, library, 80, $"{Num(http)} req/s of {Num(library)} jobs/s") with { Limit = HttpLimit(Find(report, store, "http", $"http_health_live_{n}_conn"), library, http, n) });
            }
        }
        var p50 = Find(report, "sqlite", "latency", "latency_other_process_p50");
        var p99 = Find(report, "sqlite", "latency", "latency_other_process_p99");
        rows.Add(new Row("SQLite enqueue → start, worker in another process, p50 / p99",
            p50 is null || p99 is null ? "not measured" : $"{Num(p50)} / {Num(p99)} ms", "≤ 10 / 50 ms",
            p50 is null || p99 is null ? null : p50.Met == true && p99.Met == true));
        var vsPgbench = Find(report, "postgresql", "enqueue", "single_4_clients_vs_pgbench");
        rows.Add(Plain("PostgreSQL single enqueue, 4 clients, of pgbench one-row update", vsPgbench, "%", "≥ 60 %") with
        {
            Limit = NpgsqlLimit(Find(report, "postgresql", "enqueue", "npgsql_one_row_update_4_clients"),
                Find(report, "postgresql", "ceiling", "pgbench_one_row_update_4_clients"), Find(report, "postgresql", "enqueue", "single_4_clients"),
                Find(report, "postgresql", "enqueue", "pgbench_store_insert_4_clients")),
        });
        var bulk = Find(report, "postgresql", "enqueue", "bulk_10k_vs_raw_insert_select");
        rows.Add(new Row("PostgreSQL bulk enqueue (10,000 per call), of a raw INSERT … SELECT",
            bulk is null ? "not measured"
                : $"{Num(Find(report, "postgresql", "enqueue", "bulk_10k_per_call"))} of {Num(Find(report, "postgresql", "enqueue", "raw_insert_select_10k_per_call"))} rows/s = {Num(bulk)} %",
            "≥ 90 %", bulk?.Met, Find(report, "postgresql", "enqueue", "bulk_10k_client_cpu_share") is { } share
                ? $"this process on CPU {Num(share)} % of the calls' time (building, serialising, encoding the rows); the rest is the server's insert" : ""));
        rows.Add(Plain("SQLite bulk enqueue (10,000 per call)", Find(report, "sqlite", "enqueue", "bulk_10k_per_call"), "jobs/s", "≥ 100,000"));
        var drain = Find(report, "postgresql", "work", "drain_jobs_per_s");
        rows.Add(Plain("PostgreSQL no-op drain from the worker's start", drain, "jobs/s", "≥ 25,000") with
        {
            Limit = drain?.MachineBusyPercent is { } busy ? $"machine {Num(busy)} % busy over the drain, {Num(drain.MachineCpuUsPerCall!.Value)} µs of CPU per job (worker and server)" + StartUp("postgresql") : "",
        });
        foreach (var store in new[] { "postgresql", "sqlite" })
        {
            var ratio = Find(report, store, "hangfire", "ratio_ours_to_hangfire_drain_jobs_per_s");
            var theirs = Find(report, store, "hangfire", "drain_jobs_per_s");
            var steady = Find(report, store, "work", "drain_jobs_per_s_after_warmup");
            rows.Add(new Row($"ours / Hangfire drain, {store}", ratio is null ? "not measured" : $"{Num(ratio)}×", "≥ 100×", ratio is null ? null : ratio.Value >= 100,
                theirs is null || steady is null ? "" : $"Hangfire {Num(theirs)} jobs/s; ours after warm-up {Num(steady)} jobs/s = {Num(steady.Value / theirs.Value)}×" + StartUp(store)));
            if (ratio is not null) report.Add("issue16", store, "drain_ours_over_hangfire", ratio.Value, "x", atLeast: 100);
        }
        foreach (var store in new[] { "sqlite", "postgresql" })
            rows.Add(Plain($"HTTP POST /api/jobs/process?maxJobs=100, {store}, p50", Find(report, store, "http", "http_process_100_p50"), "ms", "≤ 50 ms"));

        Print("Issue 16: fast on the path users take", rows);

        // What the drain's start costs: its first tenth against the same jobs at the rate after warm-up, and the JIT's part.
        string StartUp(string store) =>
            Find(report, store, "work", "drain_first_tenth_seconds") is { } warm && Find(report, store, "work", "drain_first_tenth_seconds_at_steady_rate") is { } steady
                && Find(report, store, "work", "drain_jit_ms") is { } jit
                ? $"; the drain's first tenth took {Num(warm.Value)} s ({Num(steady.Value)} s at the rate after warm-up), the JIT {Num(jit.Value)} ms of CPU over the drain"
                : "";
    }

    /// <summary>
    /// The table of issue 14 (workflows): the children of a batch of 100,000 against as many plain no-op jobs, on each
    /// store, from the <c>workflows</c> scenario of this run.
    /// </summary>
    public static void AddWorkflows(Report report)
    {
        var rows = new List<Row>();
        foreach (var store in new[] { "sqlite", "postgresql" })
        {
            var ratio = Find(report, store, "workflows", "batch_children_vs_plain");
            rows.Add(new Row($"children of a batch, of plain no-op jobs, {store} (jobs/s from the worker's start)",
                ratio is null ? "not measured"
                    : $"{Num(Find(report, store, "workflows", "batch_children_jobs_per_s"))} of {Num(Find(report, store, "workflows", "plain_drain_jobs_per_s"))} jobs/s = {Num(ratio)} %",
                "≥ 80 %", ratio?.Met));
        }

        Print("Issue 14: workflows (a batch's children against plain jobs)", rows);
    }

    private static void Print(string title, List<Row> rows)
    {
        var w = Console.Error;
        w.WriteLine();
        w.WriteLine(title);
        w.WriteLine();
        var limits = rows.Any(r => r.Limit.Length > 0);
        w.WriteLine("| figure | this run | goal | met |" + (limits ? " what bounds it, measured in this run |" : ""));
        w.WriteLine("| --- | ---: | --- | --- |" + (limits ? " --- |" : ""));
        foreach (var r in rows)
            w.WriteLine($"| {r.Figure} | {r.Value} | {r.Goal} | {(r.Met is null ? "" : r.Met.Value ? "yes" : "NO")} |" + (limits ? $" {r.Limit} |" : ""));
    }

    private static Row Ratio(Report report, string store, string name, string figure, Figure? ours, Figure? baseline, double atLeast, string detail)
    {
        if (ours is null || baseline is null || baseline.Value <= 0) return new Row(figure, "not measured", $"≥ {atLeast} %", null);
        var percent = 100 * ours.Value / baseline.Value;
        report.Add("issue16", store, name, percent, "%", atLeast: atLeast, note: detail);
        return new Row(figure, $"{detail} = {Num(percent)} %", $"≥ {atLeast} %", percent >= atLeast);
    }

    // An HTTP enqueue costs at least what the HTTP layer costs (GET /health/live at the same concurrency: Kestrel, routing,
    // the load generator) plus what the library's enqueue costs. At one connection the two are latencies in a row, so the
    // rate cannot pass 1 / (1 / floor + 1 / library); with many, the cores are shared, so it cannot pass the cores over
    // the two's CPU per call. What the request's own CPU exceeds their sum by is the HTTP enqueue's own share (auth, body,
    // binding, reply) plus the hand-offs between threads.
    private static string HttpLimit(Figure? floor, Figure? library, Figure? http, int connections)
    {
        if (floor is null || library is null || floor.Value <= 0 || library.Value <= 0) return "";
        var cpu = floor.MachineCpuUsPerCall is { } f && library.MachineCpuUsPerCall is { } l ? (Floor: f, Library: l) : ((double Floor, double Library)?)null;
        var inRow = connections == 1 || cpu is null;
        var bound = inRow ? 1 / (1 / floor.Value + 1 / library.Value) : Environment.ProcessorCount * 1e6 / (cpu!.Value.Floor + cpu.Value.Library);
        var text = $"floor {Num(floor)} req/s; floor + library ≤ {Num(bound)} req/s = {Num(100 * bound / library.Value)} % of the library " +
            (inRow ? "(latencies in a row)" : $"({Environment.ProcessorCount} cores over {Num(cpu!.Value.Floor)} + {Num(cpu.Value.Library)} µs of CPU per call)");
        if (http is { MachineBusyPercent: { } busy, MachineCpuUsPerCall: { } request } && cpu is { } c)
            text += $"; machine {Num(busy)} % busy, {Num(request)} µs of CPU per request, {Num(request - c.Floor - c.Library)} µs more than floor + library";
        return text;
    }

    // Two ceilings: the server's for the store's own insert (pgbench, a client that costs nothing), and the .NET client's
    // (pgbench's update sent by Npgsql): which of the two the library's enqueue falls short of.
    private static string NpgsqlLimit(Figure? npgsql, Figure? pgbench, Figure? library, Figure? storeInsert)
    {
        if (pgbench is null || library is null) return "";
        var server = storeInsert is null ? "" : $"the store's insert under pgbench {Num(storeInsert)} tx/s = {Num(100 * storeInsert.Value / pgbench.Value)} % of the update " +
            $"(the library {Num(100 * library.Value / storeInsert.Value)} % of it); ";
        var client = npgsql is null ? "" : $"pgbench's update from Npgsql {Num(npgsql)} tx/s = {Num(100 * npgsql.Value / pgbench.Value)} % of pgbench";
        if (library is not { MachineBusyPercent: { } busy, MachineCpuUsPerCall: { } machine, ProcessCpuUsPerCall: { } own }) return server + client;
        var cpu = $"; machine {Num(busy)} % busy, {Num(machine)} µs of CPU per enqueue (this process {Num(own)}, Npgsql's update {Num(npgsql?.ProcessCpuUsPerCall ?? 0)})";
        // The cores are shared: what the server (and everything else) spends per enqueue, plus the least a .NET caller
        // spends per round trip (Npgsql alone), bounds the enqueue rate however thin the library on top.
        if (npgsql?.ProcessCpuUsPerCall is not { } bare || machine - own <= 0) return server + client + cpu;
        var bound = Environment.ProcessorCount * 1e6 / (machine - own + bare);
        return server + client + cpu + $"; {Environment.ProcessorCount} cores over the server's {Num(machine - own)} µs + Npgsql's {Num(bare)} µs per enqueue " +
            $"≤ {Num(bound)} jobs/s = {Num(100 * bound / pgbench.Value)} % of pgbench";
    }

    private static Row Plain(string figure, Figure? f, string unit, string? goal) =>
        f is null ? new Row(figure, "not measured", goal ?? "", null) : new Row(figure, $"{Num(f)} {unit}", goal ?? "", goal is null ? null : f.Met);

    private static Figure? Find(Report report, string store, string scenario, string name) =>
        report.Figures.LastOrDefault(f => f.Store == store && f.Scenario == scenario && f.Name == name);

    private static string Num(Figure? f) => f is null ? "–" : Num(f.Value);

    private static string Num(double v) => v.ToString(v >= 100 ? "#,0" : "#,0.##", CultureInfo.InvariantCulture);
}
