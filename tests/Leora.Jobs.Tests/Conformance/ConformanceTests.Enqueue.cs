using System.Data.Common;
using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

/// <summary>Enqueue: single and bulk inserts, idempotency keys, the caller's transaction, and input validation.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task Enqueue_stores_a_pending_job_with_defaults()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new EchoArgs("hi"));
        Assert.False(r.Existing);
        var job = await h.Client.GetAsync(r.Id);
        Assert.NotNull(job);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal("echo", job.Type);
        Assert.Equal("default", job.Queue);
        Assert.Equal(0, job.Priority);
        Assert.Equal(3, job.MaxAttempts);
        Assert.Equal(0, job.Attempts);
        Assert.Equal("hi", job.Payload.GetProperty("message").GetString());
        Assert.Empty(job.Errors);
        Assert.Null(await h.Client.GetAsync(r.Id + 1000));
    }

    [Fact]
    public async Task Every_enqueue_refuses_a_run_time_past_the_latest_and_text_the_database_cannot_store()
    {
        // Issue 11: the library took these as the HTTP API did, and the stores failed on them or could not read them back.
        await using var h = await NewAsync();
        async Task RefusedAsync(string field, Func<Task> enqueue) =>
            Assert.Equal(field, (await Assert.ThrowsAsync<JobValidationException>(enqueue)).Field);

        var late = new EnqueueOptions { RunAt = new DateTimeOffset(9999, 6, 1, 0, 0, 0, TimeSpan.Zero) };
        var farOff = new EnqueueOptions { Delay = TimeSpan.FromDays(365.25 * 8000) };
        await RefusedAsync("runAt", () => h.Client.EnqueueAsync(new EchoArgs("late"), late));
        await RefusedAsync("runAt", () => h.Client.EnqueueManyAsync(new[] { new NoopArgs(1) }, late));
        await RefusedAsync("delaySeconds", () => h.Client.EnqueueAsync(new EchoArgs("late"), farOff));
        await RefusedAsync("delaySeconds", () => h.Client.EnqueueManyAsync(new[] { new NoopArgs(1) }, farOff));
        await RefusedAsync("delaySeconds", () => h.Client.EnqueueAsync(new EchoArgs("late"), new EnqueueOptions { Delay = TimeSpan.MaxValue }));

        await RefusedAsync("payload.message", () => h.Client.EnqueueAsync(new EchoArgs("a\0b")));
        // (An unpaired surrogate in a typed payload never reaches the check: System.Text.Json writes it as U+FFFD.)
        await RefusedAsync("payload.message", () => h.Client.EnqueueManyAsync(new[] { new EchoArgs("ok"), new EchoArgs("a\0b") }));
        await RefusedAsync("idempotencyKey", () => h.Client.EnqueueAsync(new EchoArgs("k"), new EnqueueOptions { IdempotencyKey = "k\0" }));
        await RefusedAsync("queue", () => h.Client.ListAsync(new JobQuery { Queue = "q\0" }));
        Assert.Empty((await h.Client.ListAsync(new JobQuery())).Items);
    }

    [Fact]
    public async Task An_idempotency_key_returns_the_existing_job()
    {
        await using var h = await NewAsync();
        var first = await h.Client.EnqueueAsync(new EchoArgs("one"), new EnqueueOptions { IdempotencyKey = "scan-42" });
        var again = await h.Client.EnqueueAsync(new EchoArgs("two"), new EnqueueOptions { IdempotencyKey = "scan-42" });
        Assert.False(first.Existing);
        Assert.True(again.Existing);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal("one", (await h.Client.GetAsync(first.Id))!.Payload.GetProperty("message").GetString());
        Assert.Equal(1, (await h.Client.CountByStatusAsync())[JobStatus.Pending]);
        var byKey = await h.Client.ListAsync(new JobQuery { IdempotencyKey = "scan-42" });
        Assert.Equal([first.Id], byKey.Items.Select(j => j.Id));
    }

    [Fact]
    public async Task Transactional_enqueue_commits_and_rolls_back_with_the_callers_rows()
    {
        await using var h = await NewAsync();
        // The connection an application takes for its own rows: the client's.
        await using var connection = await h.Client.OpenConnectionAsync();
        var table = $"scans_{Guid.NewGuid():N}";
        await Exec(connection, null, $"CREATE TABLE {table} (id integer PRIMARY KEY, note text)");

        await using (var tx = await connection.BeginTransactionAsync())
        {
            await Exec(connection, tx, $"INSERT INTO {table} VALUES (1, 'kept')");
            await h.Client.EnqueueAsync(new EchoArgs("kept"), tx, new EnqueueOptions { IdempotencyKey = "k1" });
            await tx.CommitAsync();
        }
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await Exec(connection, tx, $"INSERT INTO {table} VALUES (2, 'dropped')");
            await h.Client.EnqueueAsync(new EchoArgs("dropped"), tx, new EnqueueOptions { IdempotencyKey = "k2" });
            await h.Client.EnqueueManyAsync([new NoopArgs(1), new NoopArgs(2)], tx);
            await tx.RollbackAsync();
        }

        var jobs = await h.Client.ListAsync(new JobQuery());
        Assert.Equal(["kept"], jobs.Items.Select(j => j.Payload.GetProperty("message").GetString()));
        await using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {table}";
        Assert.Equal(1L, Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        await Exec(connection, null, $"DROP TABLE {table}");
    }

    private static async Task Exec(DbConnection c, DbTransaction? tx, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Bulk_enqueue_inserts_many_in_order()
    {
        await using var h = await NewAsync();
        var results = await h.Client.EnqueueManyAsync(Enumerable.Range(0, 1000).Select(i => new NoopArgs(i)), new EnqueueOptions { Queue = "bulk", Priority = 2 });
        Assert.Equal(1000, results.Count);
        Assert.Equal(results.Select(r => r.Id).Order(), results.Select(r => r.Id));
        Assert.Equal(1000, results.Select(r => r.Id).Distinct().Count());
        var job = (await h.Client.GetAsync(results[999].Id))!;
        Assert.Equal(999, job.Payload.GetProperty("n").GetInt32());
        Assert.Equal("bulk", job.Queue);
        Assert.Equal(2, job.Priority);
    }

    [Fact]
    public async Task Bulk_insert_honours_idempotency_keys_per_row()
    {
        await using var h = await NewAsync();
        var existing = await h.Client.EnqueueAsync(new EchoArgs("x"), new EnqueueOptions { IdempotencyKey = "a" });
        JobInsertParams P(string? key) => new("echo", "default", "{\"message\":\"m\"}", 0, 3, null, null, key);
        var results = await h.Store.JobInsertManyAsync([P(null), P("a"), P("b"), P(null), P("b")], null, CancellationToken.None);
        Assert.Equal([false, true, false, false, true], results.Select(r => r.Existing));
        Assert.Equal(existing.Id, results[1].Id);
        Assert.Equal(results[2].Id, results[4].Id);
        Assert.Equal(4, (await h.Client.CountByStatusAsync())[JobStatus.Pending]);
    }

    [Fact]
    public async Task Bad_input_is_rejected_before_it_reaches_the_table()
    {
        await using var h = await NewAsync();
        var unknown = await Assert.ThrowsAsync<UnknownJobTypeException>(() =>
            h.Client.EnqueueAsync("no_such_type", JsonDocument.Parse("{}").RootElement));
        Assert.Contains("echo", unknown.KnownTypes);
        Assert.Contains("Known types", unknown.Message);

        var missing = await Assert.ThrowsAsync<JobValidationException>(() =>
            h.Client.EnqueueAsync("strict", JsonDocument.Parse("{\"count\": 2}").RootElement));
        Assert.Contains("url", missing.Message, StringComparison.OrdinalIgnoreCase);

        var wrongType = await Assert.ThrowsAsync<JobValidationException>(() =>
            h.Client.EnqueueAsync("strict", JsonDocument.Parse("{\"url\": \"https://x.test\", \"count\": \"many\"}").RootElement));
        Assert.Equal("payload.count", wrongType.Field);

        var extra = await Assert.ThrowsAsync<JobValidationException>(() =>
            h.Client.EnqueueAsync("strict", JsonDocument.Parse("{\"url\": \"https://x.test\", \"bogus\": 1}").RootElement));
        Assert.Contains("bogus", extra.Message);

        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.EnqueueAsync("strict", JsonDocument.Parse("null").RootElement));
        var attempts = await Assert.ThrowsAsync<JobValidationException>(() => h.Client.EnqueueAsync(new EchoArgs("x"), new EnqueueOptions { MaxAttempts = -1 }));
        Assert.Equal("maxAttempts", attempts.Field);
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.EnqueueAsync(new EchoArgs("x"), new EnqueueOptions { Queue = "bad queue!" }));
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.EnqueueAsync(new EchoArgs("x"), new EnqueueOptions { Delay = TimeSpan.FromSeconds(-1) }));
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.EnqueueAsync(new EchoArgs("x"), new EnqueueOptions { IdempotencyKey = new string('k', 201) }));

        var ok = await h.Client.EnqueueAsync("strict", JsonDocument.Parse("{\"URL\": \"https://x.test/a\"}").RootElement);
        Assert.Equal("https://x.test/a", (await h.Client.GetAsync(ok.Id))!.Payload.GetProperty("url").GetString());
        Assert.Equal(1, (await h.Client.CountByStatusAsync()).Values.Sum());
    }

    [Fact]
    public void A_duplicate_job_type_fails_at_registration()
    {
        var services = new ServiceCollection();
        var builder = services.AddLeoraJobs().AddJob<EchoArgs, EchoHandler>();
        var ex = Assert.Throws<DuplicateJobTypeException>(() => builder.AddJob<EchoArgs, EchoHandler>());
        Assert.Contains("echo", ex.Message);
    }
}
