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
    private sealed record Row(string Figure, string Value, string Goal, bool? Met);

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
                    http, library, 80, $"{Num(http)} req/s of {Num(library)} jobs/s"));
            }
        }
        rows.Add(Plain("Kestrel GET /health/live, 32 connections (sqlite run)", Find(report, "sqlite", "http", "http_health_live_32_conn"), "req/s", null));
        var p50 = Find(report, "sqlite", "latency", "latency_other_process_p50");
        var p99 = Find(report, "sqlite", "latency", "latency_other_process_p99");
        rows.Add(new Row("SQLite enqueue → start, worker in another process, p50 / p99",
            p50 is null || p99 is null ? "not measured" : $"{Num(p50)} / {Num(p99)} ms", "≤ 10 / 50 ms",
            p50 is null || p99 is null ? null : p50.Met == true && p99.Met == true));
        var vsPgbench = Find(report, "postgresql", "enqueue", "single_4_clients_vs_pgbench");
        rows.Add(Plain("PostgreSQL single enqueue, 4 clients, of pgbench one-row update", vsPgbench, "%", "≥ 60 %"));
        var bulk = Find(report, "postgresql", "enqueue", "bulk_10k_vs_raw_insert_select");
        rows.Add(new Row("PostgreSQL bulk enqueue (10,000 per call), of a raw INSERT … SELECT",
            bulk is null ? "not measured"
                : $"{Num(Find(report, "postgresql", "enqueue", "bulk_10k_per_call"))} of {Num(Find(report, "postgresql", "enqueue", "raw_insert_select_10k_per_call"))} rows/s = {Num(bulk)} %",
            "≥ 90 %", bulk?.Met));
        rows.Add(Plain("SQLite bulk enqueue (10,000 per call)", Find(report, "sqlite", "enqueue", "bulk_10k_per_call"), "jobs/s", "≥ 100,000"));
        rows.Add(Plain("PostgreSQL no-op drain from the worker's start", Find(report, "postgresql", "work", "drain_jobs_per_s"), "jobs/s", "≥ 25,000"));
        foreach (var store in new[] { "postgresql", "sqlite" })
        {
            var ratio = Find(report, store, "hangfire", "ratio_ours_to_hangfire_drain_jobs_per_s");
            rows.Add(new Row($"ours / Hangfire drain, {store}", ratio is null ? "not measured" : $"{Num(ratio)}×", "≥ 100×", ratio is null ? null : ratio.Value >= 100));
            if (ratio is not null) report.Add("issue16", store, "drain_ours_over_hangfire", ratio.Value, "x", atLeast: 100);
        }
        foreach (var store in new[] { "sqlite", "postgresql" })
            rows.Add(Plain($"HTTP POST /api/jobs/process?maxJobs=100, {store}, p50", Find(report, store, "http", "http_process_100_p50"), "ms", "≤ 50 ms"));

        Print("Issue 16: fast on the path users take", rows);
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
        w.WriteLine("| figure | this run | goal | met |");
        w.WriteLine("| --- | ---: | --- | --- |");
        foreach (var r in rows) w.WriteLine($"| {r.Figure} | {r.Value} | {r.Goal} | {(r.Met is null ? "" : r.Met.Value ? "yes" : "NO")} |");
    }

    private static Row Ratio(Report report, string store, string name, string figure, Figure? ours, Figure? baseline, double atLeast, string detail)
    {
        if (ours is null || baseline is null || baseline.Value <= 0) return new Row(figure, "not measured", $"≥ {atLeast} %", null);
        var percent = 100 * ours.Value / baseline.Value;
        report.Add("issue16", store, name, percent, "%", atLeast: atLeast, note: detail);
        return new Row(figure, $"{detail} = {Num(percent)} %", $"≥ {atLeast} %", percent >= atLeast);
    }

    private static Row Plain(string figure, Figure? f, string unit, string? goal) =>
        f is null ? new Row(figure, "not measured", goal ?? "", null) : new Row(figure, $"{Num(f)} {unit}", goal ?? "", goal is null ? null : f.Met);

    private static Figure? Find(Report report, string store, string scenario, string name) =>
        report.Figures.LastOrDefault(f => f.Store == store && f.Scenario == scenario && f.Name == name);

    private static string Num(Figure? f) => f is null ? "–" : Num(f.Value);

    private static string Num(double v) => v.ToString(v >= 100 ? "#,0" : "#,0.##", CultureInfo.InvariantCulture);
}
