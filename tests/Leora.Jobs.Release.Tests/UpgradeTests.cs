using System.Text.Json;
using Leora.Jobs.PostgreSql;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Leora.Jobs.Release.Tests;

/// <summary>
/// Upgrades keep every job: a database built at each earlier migration level (whatever migrations the stores embed)
/// holding jobs in every status is upgraded by a host of this build, on both stores; every job keeps its data and the
/// unfinished ones are worked. And a build meeting a database newer than it knows refuses to start.
/// </summary>
public sealed class UpgradeTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_database_of_every_earlier_schema_upgrades_with_every_job_kept_and_its_unfinished_jobs_worked(string provider)
    {
        int latest;
        await using (var probe = TestDatabase.Create(provider, "up"))
        await using (var store = Store(probe))
        {
            await store.MigrateAsync(CancellationToken.None);
            latest = (await store.MigrationVersionAsync(CancellationToken.None)).Latest;
        }
        Assert.True(latest >= 2, $"the stores embed {latest} migration(s): no earlier level to upgrade from");

        for (var level = 1; level < latest; level++)
        {
            await using var db = TestDatabase.Create(provider, "up");
            await using (var store = Store(db))
            {
                await store.MigrateToAsync(level);
                Assert.Equal(level, (await store.MigrationVersionAsync(CancellationToken.None)).Applied);
            }
            await InsertJobsAsync(db);

            using var host = BuildHost(db, worker: false);
            await host.StartAsync(); // migrates to the current schema
            var client = host.Services.GetRequiredService<IJobClient>();
            var schema = await client.SchemaVersionAsync();
            Assert.Equal(latest, schema.Applied);

            var jobs = await ReadAllAsync(client);
            string Where(string key) => $"{provider}, from schema {level}, job {key}";
            Assert.Equal(Keys.Order(), jobs.Keys.Order());

            var completed = jobs["completed"];
            Assert.Equal(JobStatus.Completed, completed.Status);
            Assert.Equal("kept", completed.Result?.GetProperty("note").GetString());
            Assert.Equal(100, completed.Progress);
            Assert.Equal("done", completed.ProgressMessage);
            Assert.Equal(1, completed.Attempts);
            Assert.NotNull(completed.CompletedAt);

            var failed = jobs["failed"];
            Assert.Equal(JobStatus.Failed, failed.Status);
            Assert.Equal(3, failed.Attempts);
            var error = Assert.Single(failed.Errors);
            Assert.Equal("boom", error.Message);
            Assert.Equal("System.InvalidOperationException", error.Type);
            Assert.Equal(3, error.Attempt);

            var cancelled = jobs["cancelled"];
            Assert.Equal(JobStatus.Cancelled, cancelled.Status);
            Assert.True(cancelled.CancelRequested, Where("cancelled"));

            foreach (var (key, job) in jobs)
            {
                Assert.True(job.Type == UpgradeEchoArgs.Kind, Where(key));
                Assert.Equal($"q-{key}", job.Queue);
                Assert.Equal(key == "pending" ? 7 : 0, job.Priority);
                Assert.Equal(key, job.Payload.GetProperty("text").GetString());
                Assert.Equal($"key-{key}", job.IdempotencyKey);
            }

            // The unfinished ones are worked by this build: the due one, the one waiting for its retry (its earlier error
            // kept), and the one whose worker died with it (its lease long expired: rescued, then run).
            var processor = host.Services.GetRequiredService<IJobProcessor>();
            await Eventually.WaitAsync(async () =>
            {
                await processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 });
                var now = await ReadAllAsync(client);
                return Unfinished.All(k => now[k].Status == JobStatus.Completed);
            }, Timeout, $"the unfinished jobs upgraded from schema {level} ({provider}) to complete");
            var worked = await ReadAllAsync(client);
            foreach (var key in Unfinished)
                Assert.Equal($"echo:{key}", worked[key].Result?.GetProperty("echo").GetString());
            Assert.Equal("earlier", Assert.Single(worked["retrying"].Errors, e => e.Attempt == 1).Message);
            // The finished ones were not run again.
            foreach (var key in new[] { "completed", "failed", "cancelled" })
                Assert.Equal(jobs[key], worked[key], JobComparer.Instance);
            await host.StopAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_build_that_meets_a_newer_schema_refuses_to_start_and_leaves_the_jobs_alone(string provider)
    {
        await using var db = TestDatabase.Create(provider, "newer");
        int latest;
        await using (var store = Store(db))
        {
            await store.MigrateAsync(CancellationToken.None);
            latest = (await store.MigrationVersionAsync(CancellationToken.None)).Latest;
        }
        await InsertJobsAsync(db);
        var newer = latest + 1;
        // What a newer release leaves behind: a migration this build does not know.
        await db.ExecuteSqlAsync(
            $"INSERT INTO leora_migrations (version, applied_at) VALUES ({newer}, 0);",
            $"INSERT INTO {{schema}}.migrations (version) VALUES ({newer});");

        using var host = BuildHost(db, worker: true);
        var refused = await Assert.ThrowsAsync<JobSchemaTooNewException>(() => host.StartAsync());
        Assert.Contains($"schema is version {newer}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"knows up to version {latest}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade leora-jobs", refused.Message, StringComparison.Ordinal);

        // Nothing was claimed by the worker that did not start.
        using var reader = BuildHost(db, worker: false, migrate: false);
        var jobs = await ReadAllAsync(reader.Services.GetRequiredService<IJobClient>());
        Assert.Equal(JobStatus.Pending, jobs["pending"].Status);
        Assert.Equal(0, jobs["pending"].Attempts);
    }

    private static readonly string[] Keys = ["pending", "retrying", "processing", "completed", "failed", "cancelled"];
    private static readonly string[] Unfinished = ["pending", "retrying", "processing"];

    /// <summary>
    /// Jobs in every status, written with the columns of migration 1 only (every later schema must keep them readable):
    /// SQL a database of any level accepts. Times are in the past, so every unfinished job is due.
    /// </summary>
    private static Task InsertJobsAsync(TestDatabase db)
    {
        const string columns = "kind, queue, status, priority, payload, attempts, max_attempts, idempotency_key, lock_token, locked_until, " +
            "locked_by, progress, progress_message, result, errors, cancel_requested, created_at, run_at, started_at, completed_at";
        var earlier = JsonSerializer.Serialize(new[] { new { attempt = 1, message = "earlier", type = "System.TimeoutException", stackTrace = (string?)null, at = DateTimeOffset.UtcNow.AddHours(-2), worker = "old-node" } });
        var boom = JsonSerializer.Serialize(new[] { new { attempt = 3, message = "boom", type = "System.InvalidOperationException", stackTrace = (string?)null, at = DateTimeOffset.UtcNow.AddHours(-2), worker = "old-node" } });
        var t = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeMilliseconds();
        string Row(string key, string status, int attempts, string? lockToken, bool locked, int? progress, string? message, string? result, string errors, int cancel, bool started, bool done, bool sqlite)
        {
            string Text(string? v) => v is null ? "NULL" : $"'{v.Replace("'", "''", StringComparison.Ordinal)}'";
            string Time(bool on, int hoursAgo) => !on ? "NULL" : sqlite ? (t + (3 - hoursAgo) * 3_600_000L).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"now() - interval '{hoursAgo} hours'";
            var json = sqlite ? "" : "::jsonb";
            return $"('{UpgradeEchoArgs.Kind}', 'q-{key}', '{status}', {(key == "pending" ? 7 : 0)}, '{{\"text\":\"{key}\"}}'{json}, {attempts}, 3, 'key-{key}', " +
                $"{(lockToken is null ? "NULL" : sqlite ? Text(lockToken) : $"'{lockToken}'::uuid")}, {Time(locked, 1)}, {Text(locked ? "old-node" : null)}, " +
                $"{(progress is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "NULL")}, {Text(message)}, {(result is null ? "NULL" : Text(result) + json)}, {Text(errors)}{json}, " +
                $"{(sqlite ? cancel.ToString(System.Globalization.CultureInfo.InvariantCulture) : cancel == 1 ? "true" : "false")}, {Time(true, 3)}, {Time(true, 3)}, {Time(started, 2)}, {Time(done, 1)})";
        }
        string Rows(bool sqlite) => string.Join(",\n", [
            Row("pending", "pending", 0, null, false, null, null, null, "[]", 0, false, false, sqlite),
            Row("retrying", "pending", 1, null, false, null, null, null, earlier, 0, true, false, sqlite),
            Row("processing", "processing", 1, Guid.NewGuid().ToString("N"), true, 40, "half-way", null, "[]", 0, true, false, sqlite),
            Row("completed", "completed", 1, null, false, 100, "done", """{"note":"kept"}""", "[]", 0, true, true, sqlite),
            Row("failed", "failed", 3, null, false, null, null, null, boom, 0, true, true, sqlite),
            Row("cancelled", "cancelled", 0, null, false, null, null, null, "[]", 1, false, true, sqlite),
        ]);
        return db.ExecuteSqlAsync(
            $"INSERT INTO leora_jobs ({columns}) VALUES\n{Rows(sqlite: true)};",
            $"INSERT INTO {{schema}}.jobs ({columns}) VALUES\n{Rows(sqlite: false)};");
    }

    private static async Task<Dictionary<string, JobInfo>> ReadAllAsync(IJobClient client)
    {
        var page = await client.ListAsync(new JobQuery { Limit = 100 });
        return page.Items.ToDictionary(j => j.Payload.GetProperty("text").GetString()!, StringComparer.Ordinal);
    }

    private static IHost BuildHost(TestDatabase db, bool worker, bool migrate = true)
    {
        var builder = Host.CreateApplicationBuilder();
        var jobs = db.Use(builder.Services.AddLeoraJobs(o => o.MigrateOnStart = migrate)).AddJob<UpgradeEchoArgs, UpgradeEchoHandler>();
        if (worker) jobs.AddWorker();
        return builder.Build();
    }

    /// <summary>A store of this build over <paramref name="db"/>, outside any host: the one that builds the earlier levels.</summary>
    private static UpgradeStore Store(TestDatabase db) => db.Sqlite is not null
        ? new UpgradeStore(new SqliteJobStore(new SqliteJobStoreOptions { ConnectionString = db.ConnectionString }, TimeProvider.System))
        : new UpgradeStore(new PostgreSqlJobStore(new PostgreSqlJobStoreOptions { ConnectionString = db.ConnectionString, Schema = db.Schema! }, TimeProvider.System));

    private sealed class UpgradeStore(IJobStore store) : IAsyncDisposable
    {
        public Task MigrateAsync(CancellationToken ct) => store.MigrateAsync(ct);

        /// <summary>Applies the migrations numbered 1 to <paramref name="level"/> only (the stores' internal hook).</summary>
        public Task MigrateToAsync(int level) => store switch
        {
            SqliteJobStore s => s.MigrateAsync(level, CancellationToken.None),
            PostgreSqlJobStore p => p.MigrateAsync(level, CancellationToken.None),
            _ => throw new InvalidOperationException(store.GetType().Name),
        };

        public Task<(int Applied, int Latest)> MigrationVersionAsync(CancellationToken ct) => store.MigrationVersionAsync(ct);

        public async ValueTask DisposeAsync()
        {
            if (store is IAsyncDisposable a) await a.DisposeAsync();
            else (store as IDisposable)?.Dispose();
        }
    }

    /// <summary>Compares what a finished job holds (its JSON members by text).</summary>
    private sealed class JobComparer : IEqualityComparer<JobInfo>
    {
        public static readonly JobComparer Instance = new();

        public bool Equals(JobInfo? x, JobInfo? y) => x is not null && y is not null
            && x.Status == y.Status && x.Attempts == y.Attempts && x.Progress == y.Progress && x.ProgressMessage == y.ProgressMessage
            && x.Result?.GetRawText() == y.Result?.GetRawText() && x.Errors.Count == y.Errors.Count && x.CompletedAt == y.CompletedAt
            && x.CancelRequested == y.CancelRequested;

        public int GetHashCode(JobInfo obj) => obj.Id.GetHashCode();
    }
}

public sealed record UpgradeEchoArgs(string Text) : IJobArgs
{
    public static string Kind => "upgrade_echo";
}

public sealed class UpgradeEchoHandler : IJobHandler<UpgradeEchoArgs>
{
    public Task HandleAsync(JobContext<UpgradeEchoArgs> job, CancellationToken cancellationToken)
    {
        job.SetResult(new { echo = $"echo:{job.Args.Text}" });
        return Task.CompletedTask;
    }
}
