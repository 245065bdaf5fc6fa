using System.Data.Common;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Leora.Jobs.Tests;

/// <summary>
/// Recurring schedules on both stores, with a fake clock (the PostgreSQL store on the test's clock too): exactly one job per
/// tick across the 2026 daylight-saving changes with three nodes calling batches at once, and with three workers; misfire and
/// overlap policies; the definition's checks; declarations brought up to date at start without losing a due tick.
/// </summary>
public sealed class ScheduleTests
{
    private const string Noop = """{"n":1}""";

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>Several nodes (service providers) on one database and one fake clock.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private Cluster(FakeTimeProvider time, TestDatabase database, List<ServiceProvider> nodes)
        {
            Time = time;
            Database = database;
            Nodes = nodes;
        }

        public FakeTimeProvider Time { get; }
        public TestDatabase Database { get; }
        public List<ServiceProvider> Nodes { get; }
        public IJobSchedules Schedules => Nodes[0].GetRequiredService<IJobSchedules>();

        public static async Task<Cluster> CreateAsync(string provider, int nodes, DateTimeOffset start, Action<LeoraJobsBuilder>? configure = null)
        {
            var time = new FakeTimeProvider(start);
            var database = TestDatabase.Create(provider, "sch");
            var list = new List<ServiceProvider>();
            for (var i = 0; i < nodes; i++)
            {
                var services = new ServiceCollection();
                services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
                services.AddSingleton<Recorder>();
                services.AddSingleton<TimeProvider>(time);
                var builder = services.AddLeoraJobs(o => o.WorkerName = $"node-{i}")
                    .AddJob<NoopArgs, NoopHandler>()
                    .AddJob<EchoArgs, EchoHandler>()
                    .AddJob<StrictArgs, StrictHandler>();
                database.Use(builder, timeProviderClock: true);
                configure?.Invoke(builder);
                list.Add(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
            }
            await list[0].GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
            return new Cluster(time, database, list);
        }

        /// <summary>The idempotency keys of every job of <paramref name="kind"/>, one entry per job ("(no key)" for a job without one).</summary>
        public async Task<List<string>> KeysAsync(string kind = "noop")
        {
            await using var connection = await Nodes[0].GetRequiredService<IJobClient>().OpenConnectionAsync();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = Database.Provider == "sqlite"
                ? "SELECT idempotency_key FROM leora_jobs WHERE kind = @kind ORDER BY id"
                : $"SELECT idempotency_key FROM \"{Database.Schema}\".jobs WHERE kind = @kind ORDER BY id";
            var p = cmd.CreateParameter();
            p.ParameterName = "kind";
            p.Value = kind;
            cmd.Parameters.Add(p);
            var keys = new List<string>();
            await using DbDataReader r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) keys.Add(r.IsDBNull(0) ? "(no key)" : r.GetString(0));
            return keys;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var node in Nodes) await node.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    private static string Key(string name, DateTimeOffset tick) => JobSchedules.TickKey(name, tick);

    private static List<DateTimeOffset> Hours(DateTimeOffset fromExclusive, DateTimeOffset toInclusive)
    {
        var hours = new List<DateTimeOffset>();
        var t = new DateTimeOffset(fromExclusive.Year, fromExclusive.Month, fromExclusive.Day, fromExclusive.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
        for (; t <= toInclusive; t = t.AddHours(1)) hours.Add(t);
        return hours;
    }

    public sealed record Transition(string Name, string Zone, string DailyCron, DateTimeOffset Start, DateTimeOffset End, DateTimeOffset[] Daily)
    {
        public override string ToString() => Name;
    }

    private static readonly Transition[] Transitions =
    [
        // 29 March: 02:30 does not exist in Berlin; the tick runs at 03:00 CEST (01:00Z).
        new("berlin-spring", "Europe/Berlin", "30 2 * * *", Utc(3, 28, 20), Utc(3, 30, 6), [Utc(3, 29, 1), Utc(3, 30, 0, 30)]),
        // 25 October: 02:30 happens twice in Berlin; the tick runs once, at 02:30 CEST (00:30Z).
        new("berlin-autumn", "Europe/Berlin", "30 2 * * *", Utc(10, 24, 20), Utc(10, 26, 6), [Utc(10, 25, 0, 30), Utc(10, 26, 1, 30)]),
        // 8 March: 02:30 does not exist in New York; 03:00 EDT (07:00Z).
        new("new-york-spring", "America/New_York", "30 2 * * *", Utc(3, 7, 20), Utc(3, 9, 12), [Utc(3, 8, 7), Utc(3, 9, 6, 30)]),
        // 1 November: 01:30 happens twice in New York; once, at 01:30 EDT (05:30Z).
        new("new-york-autumn", "America/New_York", "30 1 * * *", Utc(10, 31, 20), Utc(11, 2, 12), [Utc(11, 1, 5, 30), Utc(11, 2, 6, 30)]),
    ];

    public static TheoryData<string, string> ProvidersAndTransitions()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in (string[])["sqlite", "postgresql"])
            foreach (var t in Transitions) data.Add(provider, t.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ProvidersAndTransitions))]
    public async Task Batch_calls_alone_enqueue_exactly_one_job_per_tick_across_daylight_saving(string provider, string transition)
    {
        var t = Transitions.Single(x => x.Name == transition);
        await using var cluster = await Cluster.CreateAsync(provider, nodes: 3, t.Start);
        await cluster.Schedules.CreateAsync(new JobSchedule { Name = "daily", Cron = t.DailyCron, TimeZone = t.Zone, Type = "noop", Payload = Noop });
        await cluster.Schedules.CreateAsync(new JobSchedule { Name = "hourly", Cron = "0 * * * *", TimeZone = t.Zone, Type = "noop", Payload = Noop });

        // Every 20 minutes of the fake clock, each of the three nodes calls a batch at the same moment (the serverless set-up:
        // no worker, no leader, only POST /api/jobs/process), and one node calls a second time.
        while (cluster.Time.GetUtcNow() < t.End)
        {
            cluster.Time.Advance(TimeSpan.FromMinutes(20));
            await Task.WhenAll([
                .. cluster.Nodes.Select(n => n.GetRequiredService<IJobProcessor>().ProcessBatchAsync(new BatchOptions { MaxJobs = 10 })),
                cluster.Nodes[2].GetRequiredService<IJobProcessor>().ProcessBatchAsync(new BatchOptions { MaxJobs = 10 }),
            ]);
        }

        var keys = await cluster.KeysAsync();
        var expected = t.Daily.Select(d => Key("daily", d)).Concat(Hours(t.Start, cluster.Time.GetUtcNow()).Select(h => Key("hourly", h))).Order().ToList();
        Assert.Equal(expected, keys.Order().ToList());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Three_workers_enqueue_exactly_one_job_per_tick_across_the_autumn_change(string provider)
    {
        var start = Utc(10, 24, 22);
        await using var cluster = await Cluster.CreateAsync(provider, nodes: 3, start, b => b.AddWorker(o => o.Concurrency = 2));
        await cluster.Schedules.CreateAsync(new JobSchedule { Name = "daily", Cron = "30 2 * * *", TimeZone = "Europe/Berlin", Type = "noop", Payload = Noop });
        await cluster.Schedules.CreateAsync(new JobSchedule { Name = "hourly", Cron = "@hourly", TimeZone = "Europe/Berlin", Type = "noop", Payload = Noop });
        var workers = cluster.Nodes.Select(n => n.GetRequiredService<JobWorker>()).ToList();
        foreach (var w in workers) await w.StartAsync(CancellationToken.None);
        try
        {
            var end = Utc(10, 25, 4);
            while (cluster.Time.GetUtcNow() < end)
            {
                cluster.Time.Advance(TimeSpan.FromMinutes(20));
                var target = cluster.Time.GetUtcNow();
                var due = Hours(start, target).Count + (target >= Utc(10, 25, 0, 30) ? 1 : 0);
                // The leader (as its election stands after the jump) evaluates every second of the fake clock: move it on a
                // second at a time until the due ticks are in.
                await Eventually.WaitAsync(async () =>
                {
                    cluster.Time.Advance(TimeSpan.FromSeconds(1));
                    return (await cluster.KeysAsync()).Count;
                }, n => n >= due, TimeSpan.FromSeconds(60), $"{due} tick job(s) by {target:O}");
            }
        }
        finally
        {
            foreach (var w in workers) await w.StopAsync(CancellationToken.None);
        }

        var keys = await cluster.KeysAsync();
        var expected = Hours(start, cluster.Time.GetUtcNow()).Select(h => Key("hourly", h)).Append(Key("daily", Utc(10, 25, 0, 30))).Order().ToList();
        Assert.Equal(expected, keys.Order().ToList());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Advancing_a_schedule_is_a_compare_and_set(string provider)
    {
        await using var cluster = await Cluster.CreateAsync(provider, nodes: 2, Utc(1, 1, 0, 10));
        var created = (await cluster.Schedules.CreateAsync(new JobSchedule { Name = "cas", Cron = "0 * * * *", Type = "noop", Payload = Noop }))!;
        var expected = created.NextRunAt!.Value;
        var stores = cluster.Nodes.Select(n => n.GetRequiredService<IJobStore>()).ToList();

        // Two evaluators read the same next run; the first to move it wins, the second changes nothing.
        await using (var c1 = await stores[0].OpenConnectionAsync(CancellationToken.None))
        await using (var t1 = await c1.BeginTransactionAsync())
        {
            Assert.Equal(["cas"], await stores[0].ScheduleAdvanceManyAsync([new ScheduleAdvanceParams("cas", expected, expected.AddHours(1))], t1, CancellationToken.None));
            await t1.CommitAsync();
        }
        await using (var c2 = await stores[1].OpenConnectionAsync(CancellationToken.None))
        await using (var t2 = await c2.BeginTransactionAsync())
        {
            Assert.Empty(await stores[1].ScheduleAdvanceManyAsync([new ScheduleAdvanceParams("cas", expected, expected.AddHours(2))], t2, CancellationToken.None));
            await t2.CommitAsync();
        }
        Assert.Equal(expected.AddHours(1), (await cluster.Schedules.GetAsync("cas"))!.NextRunAt);
        // A disabled schedule is not advanced either.
        await cluster.Schedules.SetEnabledAsync("cas", false);
        var stored = (await stores[0].ScheduleGetAsync("cas", CancellationToken.None))!.NextRunAt!.Value;
        await using (var c3 = await stores[0].OpenConnectionAsync(CancellationToken.None))
        await using (var t3 = await c3.BeginTransactionAsync())
            Assert.Empty(await stores[0].ScheduleAdvanceManyAsync([new ScheduleAdvanceParams("cas", stored, stored.AddHours(1))], t3, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Misfire_policies_after_downtime(string provider)
    {
        await using var cluster = await Cluster.CreateAsync(provider, nodes: 1, Utc(1, 1, 0, 10));
        var s = cluster.Schedules;
        await s.CreateAsync(new JobSchedule { Name = "latest", Cron = "0 * * * *", Type = "noop", Payload = Noop });
        await s.CreateAsync(new JobSchedule { Name = "all", Cron = "0 * * * *", Type = "noop", Payload = Noop, Misfire = MisfirePolicy.RunAll, MisfireLimit = 3 });
        await s.CreateAsync(new JobSchedule { Name = "skip", Cron = "0 * * * *", Type = "noop", Payload = Noop, Misfire = MisfirePolicy.Skip });

        // Down from 00:10 to 05:30: five ticks (01:00 … 05:00) missed.
        cluster.Time.Advance(TimeSpan.FromMinutes(320));
        Assert.Equal(4, await s.EnqueueDueAsync());
        Assert.Equal(
            [Key("all", Utc(1, 1, 3)), Key("all", Utc(1, 1, 4)), Key("all", Utc(1, 1, 5)), Key("latest", Utc(1, 1, 5))],
            (await cluster.KeysAsync()).Order().ToList());
        foreach (var name in (string[])["latest", "all", "skip"])
            Assert.Equal(Utc(1, 1, 6), (await s.GetAsync(name))!.NextRunAt);

        // Back to normal: one tick due at a time, every policy runs it.
        cluster.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(3, await s.EnqueueDueAsync());
        Assert.Equal(0, await s.EnqueueDueAsync());
        var keys = await cluster.KeysAsync();
        Assert.Contains(Key("skip", Utc(1, 1, 6)), keys);
        Assert.Equal(7, keys.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Overlap_skip_waits_for_the_previous_job_to_finish(string provider)
    {
        await using var cluster = await Cluster.CreateAsync(provider, nodes: 1, Utc(1, 1, 0, 30));
        var s = cluster.Schedules;
        await s.CreateAsync(new JobSchedule { Name = "skip", Cron = "0 * * * *", Type = "noop", Payload = Noop, Overlap = OverlapPolicy.Skip });
        await s.CreateAsync(new JobSchedule { Name = "allow", Cron = "0 * * * *", Type = "echo", Payload = """{"message":"x"}""" });

        cluster.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, await s.EnqueueDueAsync());
        var first = (await s.GetAsync("skip"))!;
        Assert.Equal(JobStatus.Pending, first.LastJobStatus);

        // The 02:00 tick comes while the 01:00 job is still pending: skipped (the schedule still moves on).
        cluster.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await s.EnqueueDueAsync());
        Assert.Equal([Key("skip", Utc(1, 1, 1))], await cluster.KeysAsync("noop"));
        Assert.Equal(Utc(1, 1, 3), (await s.GetAsync("skip"))!.NextRunAt);

        // Once it has run, the next tick is enqueued again.
        var processor = cluster.Nodes[0].GetRequiredService<IJobProcessor>();
        await processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 });
        Assert.Equal(JobStatus.Completed, (await s.GetAsync("skip"))!.LastJobStatus);
        cluster.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, await s.EnqueueDueAsync());
        Assert.Equal([Key("skip", Utc(1, 1, 1)), Key("skip", Utc(1, 1, 3))], await cluster.KeysAsync("noop"));
        Assert.Equal(3, (await cluster.KeysAsync("echo")).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Definitions_are_checked_and_managed(string provider)
    {
        await using var cluster = await Cluster.CreateAsync(provider, nodes: 1, Utc(6, 1, 10, 15));
        var s = cluster.Schedules;
        var report = new JobSchedule { Name = "nightly-report", Cron = "0 2 * * *", TimeZone = "Europe/Berlin", Type = "noop", Payload = Noop };
        var created = await s.CreateAsync(report);
        Assert.NotNull(created);
        // 02:00 CEST is 00:00Z in June; five runs listed, each with Berlin's offset.
        Assert.Equal(Utc(6, 2, 0), created.NextRunAt);
        Assert.Equal(5, created.NextRuns.Count);
        Assert.All(created.NextRuns, r => Assert.Equal(TimeSpan.FromHours(2), r.Offset));
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 2, 0, 0, TimeSpan.FromHours(2)), created.NextRuns[0]);
        Assert.Null(await s.CreateAsync(report with { Cron = "0 3 * * *" }));

        Assert.Equal("cron", (await Assert.ThrowsAsync<JobValidationException>(() => s.CreateAsync(report with { Name = "a", Cron = "0 25 * * *" }))).Field);
        Assert.Equal("timeZone", (await Assert.ThrowsAsync<JobValidationException>(() => s.CreateAsync(report with { Name = "b", TimeZone = "Europe/Atlantis" }))).Field);
        Assert.Equal("name", (await Assert.ThrowsAsync<JobValidationException>(() => s.CreateAsync(report with { Name = "no spaces" }))).Field);
        await Assert.ThrowsAsync<UnknownJobTypeException>(() => s.CreateAsync(report with { Name = "c", Type = "nope" }));
        var payload = await Assert.ThrowsAsync<JobValidationException>(() => s.CreateAsync(report with { Name = "d", Type = "strict", Payload = """{"url":5}""" }));
        Assert.StartsWith("payload", payload.Field);
        Assert.Single(await s.ListAsync());

        // Trigger now: a job outside the ticks, recorded as the last job.
        var job = await s.TriggerAsync("nightly-report");
        Assert.NotNull(job);
        var read = (await s.GetAsync("nightly-report"))!;
        Assert.Equal(job.Id, read.LastJobId);
        Assert.Equal(JobStatus.Pending, read.LastJobStatus);
        Assert.Null(await s.TriggerAsync("missing"));

        // Disabled: its ticks are not enqueued; enabled again, it starts from the next tick (none of the missed ones).
        Assert.False((await s.SetEnabledAsync("nightly-report", false))!.Schedule.Enabled);
        cluster.Time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, await s.EnqueueDueAsync());
        var enabled = (await s.SetEnabledAsync("nightly-report", true))!;
        Assert.Equal(Utc(6, 5, 0), enabled.NextRunAt);
        Assert.Equal(0, await s.EnqueueDueAsync());

        // Changing the time moves the next run; changing only the payload keeps it.
        var moved = (await s.UpdateAsync(report with { Cron = "0 4 * * *" }))!;
        Assert.Equal(Utc(6, 5, 2), moved.NextRunAt);
        Assert.Equal(Utc(6, 5, 2), (await s.UpdateAsync(report with { Cron = "0 4 * * *", Payload = """{"n":2}""" }))!.NextRunAt);
        Assert.Null(await s.UpdateAsync(report with { Name = "missing" }));

        Assert.True(await s.DeleteAsync("nightly-report"));
        Assert.False(await s.DeleteAsync("nightly-report"));
        Assert.Null(await s.GetAsync("nightly-report"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_restart_brings_declarations_up_to_date_without_losing_a_due_tick(string provider)
    {
        await using var cluster = await Cluster.CreateAsync(provider, nodes: 1, Utc(1, 1, 0, 10),
            b => b.AddSchedule<NoopArgs>("declared", "0 * * * *", new NoopArgs(1), "Europe/Berlin"));
        var schedules = cluster.Nodes[0].GetRequiredService<JobSchedules>();
        await schedules.UpsertDeclaredAsync(CancellationToken.None);
        Assert.Equal(Utc(1, 1, 1), (await schedules.GetAsync("declared"))!.NextRunAt);

        // The 01:00 tick is due but nothing evaluated it before the restart: the restart keeps it due.
        cluster.Time.Advance(TimeSpan.FromMinutes(80));
        await schedules.UpsertDeclaredAsync(CancellationToken.None);
        Assert.Equal(Utc(1, 1, 1), (await schedules.GetAsync("declared"))!.NextRunAt);
        Assert.Equal(1, await schedules.EnqueueDueAsync());
        Assert.Equal([Key("declared", Utc(1, 1, 1))], await cluster.KeysAsync());
    }

    [Fact]
    public async Task A_declaration_that_does_not_validate_stops_the_start_naming_it()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var database = TestDatabase.Create("sqlite");
        await using (database)
        {
            var builder = services.AddLeoraJobs().AddJob<NoopArgs, NoopHandler>().AddSchedule(new JobSchedule { Name = "bad", Cron = "0 * * * *", Type = "missing" });
            database.Use(builder);
            services.AddSingleton<Recorder>();
            await using var sp = services.BuildServiceProvider();
            await sp.GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => sp.GetRequiredService<JobSchedules>().UpsertDeclaredAsync(CancellationToken.None));
            Assert.Contains("Schedule 'bad'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
        }
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddLeoraJobs().AddSchedule(new JobSchedule { Name = "x", Cron = "every day", Type = "noop" }));
    }
}
