using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Npgsql;

namespace Leora.Jobs.Bench;

/// <summary>
/// Hangfire 1.8 side by side, on the same PostgreSQL server and the same disk: single enqueues from one client, and a
/// backlog drained by one BackgroundJobServer. Ratios ours/theirs are added at the end of the run.
/// </summary>
internal static class HangfirePeer
{
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
}
