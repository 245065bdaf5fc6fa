using System.Data.Common;
using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

/// <summary>The one conformance suite: every store must pass every test here (STYLE.md 14).</summary>
public abstract class ConformanceTests
{
    protected abstract string Provider { get; }

    private Task<Harness> NewAsync(bool fakeTime = false, Action<LeoraJobsBuilder>? configure = null, Action<JobsOptions>? options = null) =>
        Harness.CreateAsync(Provider, fakeTime, configure, options);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

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
    public async Task Process_one_completes_the_job_and_stores_its_result()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new EchoArgs("hello"));
        var report = await h.Processor.ProcessOneAsync();
        Assert.NotNull(report);
        Assert.Equal(JobOutcome.Completed, report.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal("hello", job.Result!.Value.GetProperty("echoed").GetString());
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.CompletedAt);
        Assert.Equal(100, job.Progress);
        Assert.Equal("test-worker", job.Worker);
        Assert.Null(await h.Processor.ProcessOneAsync());
    }

    [Fact]
    public async Task Claims_follow_priority_then_run_at_then_id()
    {
        await using var h = await NewAsync(fakeTime: true);
        var t0 = h.Time!.GetUtcNow();
        var low = await h.Client.EnqueueAsync(new EchoArgs("low"), new EnqueueOptions { Priority = -1 });
        var a = await h.Client.EnqueueAsync(new EchoArgs("a"), new EnqueueOptions { RunAt = t0.AddSeconds(-5) });
        var b = await h.Client.EnqueueAsync(new EchoArgs("b"), new EnqueueOptions { RunAt = t0.AddSeconds(-10) });
        var c = await h.Client.EnqueueAsync(new EchoArgs("c"), new EnqueueOptions { RunAt = t0.AddSeconds(-10) });
        var high = await h.Client.EnqueueAsync(new EchoArgs("high"), new EnqueueOptions { Priority = 5 });
        var order = new List<long>();
        while (await h.Processor.ProcessOneAsync() is { } report) order.Add(report.Id);
        Assert.Equal([high.Id, b.Id, c.Id, a.Id, low.Id], order);
    }

    [Fact]
    public async Task A_batch_claim_returns_jobs_in_claim_order_and_counts_the_attempt()
    {
        await using var h = await NewAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add((await h.Client.EnqueueAsync(new NoopArgs(i), new EnqueueOptions { Priority = i % 2 })).Id);
        var rows = await h.Store.JobClaimAsync(new JobClaimParams(null, 3, TimeSpan.FromMinutes(1), "w"), CancellationToken.None);
        Assert.Equal([ids[1], ids[3], ids[0]], rows.Select(r => r.Id));
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(3, rows.Select(r => r.LockToken).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(JobStatus.Processing, r.Status));
    }

    [Fact]
    public async Task A_delayed_job_is_not_claimed_before_it_is_due()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("later"), new EnqueueOptions { Delay = TimeSpan.FromMinutes(5) });
        Assert.Null(await h.Processor.ProcessOneAsync());
        var page = await h.Client.ListAsync(new JobQuery { Status = JobStatus.Pending, Scheduled = true });
        Assert.Equal([r.Id], page.Items.Select(j => j.Id));
        h.Time!.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(r.Id, (await h.Processor.ProcessOneAsync())?.Id);
    }

    [Fact]
    public async Task Queues_are_claimed_separately()
    {
        await using var h = await NewAsync();
        var mail = await h.Client.EnqueueAsync(new EchoArgs("m"), new EnqueueOptions { Queue = "mail" });
        var def = await h.Client.EnqueueAsync(new EchoArgs("d"));
        Assert.Equal(mail.Id, (await h.Processor.ProcessOneAsync("mail"))?.Id);
        Assert.Null(await h.Processor.ProcessOneAsync("mail"));
        Assert.Equal(def.Id, (await h.Processor.ProcessOneAsync("default"))?.Id);
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
        await using var connection = await h.OpenConnectionAsync();
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
    public async Task A_failing_job_retries_with_backoff_then_fails_keeping_every_error()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new FailArgs(-1));

        Assert.Equal(JobOutcome.Retried, (await h.Processor.ProcessOneAsync())!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(h.Time!.GetUtcNow().AddSeconds(10), job.RunAt);
        Assert.Null(await h.Processor.ProcessOneAsync());

        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(JobOutcome.Retried, (await h.Processor.ProcessOneAsync())!.Outcome);
        Assert.Equal(h.Time.GetUtcNow().AddSeconds(20), (await h.Client.GetAsync(r.Id))!.RunAt);

        h.Time.Advance(TimeSpan.FromSeconds(20));
        var last = await h.Processor.ProcessOneAsync();
        Assert.Equal(JobOutcome.Failed, last!.Outcome);
        job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(3, job.Attempts);
        Assert.Equal([1, 2, 3], job.Errors.Select(e => e.Attempt));
        Assert.All(job.Errors, e => Assert.Equal(typeof(InvalidOperationException).FullName, e.Type));
        Assert.Equal("boom on attempt 2", job.Errors[1].Message);
        Assert.Contains(nameof(FailHandler), job.Errors[2].StackTrace);
        Assert.Equal("test-worker", job.Errors[0].Worker);
        Assert.NotNull(job.CompletedAt);
    }

    [Fact]
    public async Task Retry_after_from_the_handler_overrides_the_backoff()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new FailArgs(1, RetryAfterSeconds: 120));
        Assert.Equal(JobOutcome.Retried, (await h.Processor.ProcessOneAsync())!.Outcome);
        Assert.Equal(h.Time!.GetUtcNow().AddSeconds(120), (await h.Client.GetAsync(r.Id))!.RunAt);
        h.Time.Advance(TimeSpan.FromSeconds(120));
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);
    }

    [Fact]
    public async Task A_permanent_error_fails_without_retry()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new FailArgs(-1, Permanent: true), new EnqueueOptions { MaxAttempts = 5 });
        Assert.Equal(JobOutcome.Failed, (await h.Processor.ProcessOneAsync())!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(typeof(PermanentJobException).FullName, Assert.Single(job.Errors).Type);
    }

    [Fact]
    public async Task A_handler_that_exceeds_its_timeout_is_cancelled_and_the_attempt_fails()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new SlowArgs(60), new EnqueueOptions { MaxAttempts = 1 });
        var report = await h.Processor.ProcessOneAsync().WaitAsync(Wait);
        Assert.Equal(JobOutcome.Failed, report!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("Timeout", Assert.Single(job.Errors).Type);
        Assert.Contains("Timed out", job.Errors[0].Message);
    }

    [Fact]
    public async Task A_cancelled_pending_job_never_runs()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new EchoArgs("never"));
        Assert.Equal(JobCancelResult.Cancelled, await h.Client.CancelAsync(r.Id));
        Assert.Null(await h.Processor.ProcessOneAsync());
        Assert.Empty(h.Recorder.Runs);
        Assert.Equal(JobStatus.Cancelled, (await h.Client.GetAsync(r.Id))!.Status);
        Assert.Equal(JobCancelResult.AlreadyFinished, await h.Client.CancelAsync(r.Id));
        Assert.Equal(JobCancelResult.NotFound, await h.Client.CancelAsync(r.Id + 99));
    }

    [Fact]
    public async Task Cancelling_a_running_job_fires_its_token_and_it_ends_cancelled()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new BlockArgs("cancel-me"));
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("cancel-me").WaitAsync(Wait);
        Assert.Equal(JobCancelResult.CancelRequested, await h.Client.CancelAsync(r.Id));
        var report = await run.WaitAsync(Wait);
        Assert.Equal(JobOutcome.Cancelled, report!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Cancelled, job.Status);
        Assert.False(job.CancelRequested);
    }

    [Fact]
    public async Task A_cancel_requested_elsewhere_reaches_the_handler_through_its_heartbeat()
    {
        await using var h = await NewAsync(options: o => { o.Lease = TimeSpan.FromSeconds(3); o.HeartbeatInterval = TimeSpan.FromMilliseconds(100); });
        var r = await h.Client.EnqueueAsync(new BlockArgs("remote-cancel"));
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("remote-cancel").WaitAsync(Wait);
        // The store alone, as another process would: this process's running-job registry is not told.
        Assert.Equal(JobCancelResult.CancelRequested, await h.Store.JobCancelAsync(r.Id, CancellationToken.None));
        Assert.Equal(JobOutcome.Cancelled, (await run.WaitAsync(Wait))!.Outcome);
        Assert.Equal(JobStatus.Cancelled, (await h.Client.GetAsync(r.Id))!.Status);
    }

    [Fact]
    public async Task A_failed_job_can_be_retried_by_hand_and_a_pending_one_cannot()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new FailArgs(1, Permanent: true));
        Assert.Equal(JobActionResult.Conflict, await h.Client.RetryAsync(r.Id));
        await h.Processor.ProcessOneAsync();
        Assert.Equal(JobStatus.Failed, (await h.Client.GetAsync(r.Id))!.Status);
        Assert.Equal(JobActionResult.Done, await h.Client.RetryAsync(r.Id));
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(4, job.MaxAttempts);
        Assert.Single(job.Errors);
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);
        Assert.Equal(JobActionResult.NotFound, await h.Client.RetryAsync(r.Id + 50));
    }

    [Fact]
    public async Task Progress_is_visible_while_the_job_runs()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new BlockArgs("progress"));
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("progress").WaitAsync(Wait);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Processing, job.Status);
        Assert.Equal(40, job.Progress);
        Assert.Equal("waiting at the gate", job.ProgressMessage);
        Assert.NotNull(job.LockedUntil);
        h.Recorder.Open("progress");
        Assert.Equal(JobOutcome.Completed, (await run.WaitAsync(Wait))!.Outcome);
        Assert.True((await h.Client.GetAsync(r.Id))!.Result!.Value.GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Cleanup_deletes_only_finished_jobs_older_than_the_cutoff()
    {
        await using var h = await NewAsync(fakeTime: true);
        for (var i = 0; i < 25; i++) await h.Client.EnqueueAsync(new NoopArgs(i));
        await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 25 });
        var cancelled = await h.Client.EnqueueAsync(new EchoArgs("c"));
        await h.Client.CancelAsync(cancelled.Id);
        h.Time!.Advance(TimeSpan.FromDays(31));
        var recent = await h.Client.EnqueueAsync(new EchoArgs("recent"));
        await h.Processor.ProcessOneAsync();
        var pending = await h.Client.EnqueueAsync(new EchoArgs("pending"));

        Assert.Equal(26, await h.Client.CleanupAsync(TimeSpan.FromDays(30)));
        var left = (await h.Client.ListAsync(new JobQuery())).Items.Select(j => j.Id).Order();
        Assert.Equal([recent.Id, pending.Id], left);
        Assert.Equal(0, await h.Client.CleanupAsync(TimeSpan.FromDays(30)));
    }

    [Fact]
    public async Task Cleanup_works_in_bounded_batches()
    {
        await using var h = await NewAsync(fakeTime: true);
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 2500).Select(i => new NoopArgs(i)));
        var rows = await h.Store.JobClaimAsync(new JobClaimParams(null, 2500, TimeSpan.FromMinutes(5), "w"), CancellationToken.None);
        foreach (var row in rows) await h.Store.JobCompleteAsync(new JobCompleteParams(row.Id, row.LockToken!.Value, null), CancellationToken.None);
        h.Time!.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1000, await h.Store.JobDeleteFinishedAsync(TimeSpan.FromDays(1), 1000, CancellationToken.None));
        Assert.Equal(1500, await h.Client.CleanupAsync(TimeSpan.FromDays(1)));
        Assert.Equal(0, (await h.Client.CountByStatusAsync()).Values.Sum());
    }

    [Fact]
    public async Task An_expired_lease_is_rescued_and_the_old_holders_writes_are_rejected()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("rescue me"));
        var first = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "dead-worker"), CancellationToken.None));

        Assert.Equal(0, await h.Processor.RescueExpiredAsync());
        h.Time!.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var report = await h.Processor.ProcessOneAsync();
        Assert.Equal(r.Id, report!.Id);
        Assert.Equal(JobOutcome.Completed, report.Outcome);

        var token = first.LockToken!.Value;
        Assert.False(await h.Store.JobCompleteAsync(new JobCompleteParams(r.Id, token, "{\"late\":true}"), CancellationToken.None));
        Assert.False(await h.Store.JobFailAsync(new JobFailParams(r.Id, token, "{}", null), CancellationToken.None));
        Assert.False(await h.Store.JobProgressAsync(new JobProgressParams(r.Id, token, 5, "late"), CancellationToken.None));
        Assert.Equal(JobHeartbeatResult.Lost, await h.Store.JobHeartbeatAsync(r.Id, token, TimeSpan.FromMinutes(5), CancellationToken.None));
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(2, job.Attempts);
        Assert.Equal("LeaseExpired", Assert.Single(job.Errors).Type);
        Assert.Equal("dead-worker", job.Errors[0].Worker);
        Assert.False(job.Result!.Value.TryGetProperty("late", out _));
    }

    [Fact]
    public async Task A_job_that_kills_its_worker_every_time_runs_out_of_attempts()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("crash loop"), new EnqueueOptions { MaxAttempts = 2 });
        for (var i = 0; i < 2; i++)
        {
            Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(1), "crashing"), CancellationToken.None));
            h.Time!.Advance(TimeSpan.FromMinutes(2));
            Assert.Equal(1, await h.Processor.RescueExpiredAsync());
        }
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(2, job.Attempts);
        Assert.Equal(2, job.Errors.Count);
        Assert.Null(await h.Processor.ProcessOneAsync());
    }

    [Fact]
    public async Task A_heartbeat_keeps_a_long_job_from_being_rescued()
    {
        await using var h = await NewAsync(options: o => { o.Lease = TimeSpan.FromSeconds(1); o.HeartbeatInterval = TimeSpan.FromMilliseconds(150); });
        var r = await h.Client.EnqueueAsync(new BlockArgs("long"));
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("long").WaitAsync(Wait);
        var firstLease = (await h.Client.GetAsync(r.Id))!.LockedUntil!.Value;
        // Well past the first lease: the heartbeat must have moved it, so nothing is rescued.
        await TestSupport.Eventually.WaitAsync(async () => (await h.Client.GetAsync(r.Id))!.LockedUntil > firstLease.AddSeconds(1.5),
            Wait, "the lease to be extended past its first expiry");
        Assert.Equal(0, await h.Processor.RescueExpiredAsync());
        h.Recorder.Open("long");
        Assert.Equal(JobOutcome.Completed, (await run.WaitAsync(Wait))!.Outcome);
        Assert.Equal(1, h.Recorder.RunsOf(r.Id));
    }

    [Fact]
    public async Task One_heartbeat_keeps_running_jobs_and_jobs_a_batch_claimed_ahead()
    {
        await using var h = await NewAsync(options: o => { o.Lease = TimeSpan.FromSeconds(1); o.HeartbeatInterval = TimeSpan.FromMilliseconds(150); });
        var ids = new List<long>();
        foreach (var key in (string[])["ahead-a", "ahead-b", "ahead-c"])
            ids.Add((await h.Client.EnqueueAsync(new BlockArgs(key))).Id);
        // Concurrency 1: the batch claims all three at once (claim-ahead), runs one, and two wait for the slot.
        var batch = h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 3, Concurrency = 1 });
        await h.Recorder.Started("ahead-a").WaitAsync(Wait);
        var first = await Task.WhenAll(ids.Select(id => h.Client.GetAsync(id)));
        Assert.All(first, j => Assert.Equal(JobStatus.Processing, j!.Status));
        // Well past every first lease: the node's heartbeat must have moved the waiting jobs' leases too.
        await TestSupport.Eventually.WaitAsync(async () =>
        {
            var now = await Task.WhenAll(ids.Select(id => h.Client.GetAsync(id)));
            return now.Zip(first).All(p => p.First!.LockedUntil > p.Second!.LockedUntil!.Value.AddSeconds(1.5));
        }, Wait, "every held job's lease to be extended past its first expiry");
        Assert.Equal(0, await h.Processor.RescueExpiredAsync());
        h.Recorder.Open("ahead-a");
        await h.Recorder.Started("ahead-b").WaitAsync(Wait);
        h.Recorder.Open("ahead-b");
        await h.Recorder.Started("ahead-c").WaitAsync(Wait);
        h.Recorder.Open("ahead-c");
        var result = await batch.WaitAsync(Wait);
        Assert.Equal(3, result.Succeeded);
        Assert.All(ids, id => Assert.Equal(1, h.Recorder.RunsOf(id)));
    }

    [Fact]
    public async Task A_batch_hands_back_the_jobs_it_claimed_ahead_but_had_no_time_to_start()
    {
        await using var h = await NewAsync(fakeTime: true);
        var blocking = await h.Client.EnqueueAsync(new BlockArgs("budget"), new EnqueueOptions { Priority = 1 });
        var rest = await h.Client.EnqueueManyAsync(Enumerable.Range(0, 3).Select(i => new NoopArgs(i)));
        var batch = h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 4, Concurrency = 1, MaxDuration = TimeSpan.FromSeconds(10) });
        await h.Recorder.Started("budget").WaitAsync(Wait);
        Assert.All(await Task.WhenAll(rest.Select(r => h.Client.GetAsync(r.Id))), j => Assert.Equal(JobStatus.Processing, j!.Status));
        // The time budget runs out while the first job still runs; the three waiting jobs were never started.
        h.Time!.Advance(TimeSpan.FromSeconds(11));
        h.Recorder.Open("budget");
        var result = await batch.WaitAsync(Wait);
        Assert.Equal(1, result.Processed);
        Assert.Equal(blocking.Id, Assert.Single(result.Jobs).Id);
        foreach (var r in rest)
        {
            var job = (await h.Client.GetAsync(r.Id))!;
            Assert.Equal(JobStatus.Pending, job.Status);
            Assert.Equal(0, job.Attempts);
            Assert.Null(job.LockedUntil);
            Assert.Empty(job.Errors);
            Assert.Equal(0, h.Recorder.RunsOf(r.Id));
        }
        // Handed back, they are due at once for the next batch.
        Assert.Equal(3, (await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 })).Succeeded);
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
    public async Task Lists_filter_and_page_by_cursor_and_counts_match()
    {
        await using var h = await NewAsync();
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add((await h.Client.EnqueueAsync(new EchoArgs($"e{i}"))).Id);
        await h.Client.EnqueueAsync(new NoopArgs(1), new EnqueueOptions { Queue = "other" });
        await h.Client.CancelAsync(ids[0]);

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await h.Client.ListAsync(new JobQuery { Type = "echo", Status = JobStatus.Pending, Limit = 3, Cursor = cursor });
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items.Select(j => j.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);
        Assert.Equal(ids.Skip(1).Reverse(), seen);

        var oldest = await h.Client.ListAsync(new JobQuery { NewestFirst = false, Limit = 2 });
        Assert.Equal(ids.Take(2), oldest.Items.Select(j => j.Id));
        Assert.Single((await h.Client.ListAsync(new JobQuery { Queue = "other" })).Items);

        var counts = await h.Client.CountByStatusAsync();
        Assert.Equal(7, counts[JobStatus.Pending]);
        Assert.Equal(1, counts[JobStatus.Cancelled]);
        Assert.Equal(0, counts[JobStatus.Completed]);
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.ListAsync(new JobQuery { Cursor = "nope" }));
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.ListAsync(new JobQuery { Limit = 0 }));
    }

    [Fact]
    public async Task Stats_count_by_status_type_queue_and_recent_outcomes()
    {
        await using var h = await NewAsync(fakeTime: true);
        await h.Client.EnqueueAsync(new EchoArgs("ok"));
        await h.Client.EnqueueAsync(new FailArgs(-1, Permanent: true));
        await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 });
        h.Time!.Advance(TimeSpan.FromSeconds(30));
        await h.Client.EnqueueAsync(new NoopArgs(1), new EnqueueOptions { Queue = "q2" });
        await h.Client.EnqueueAsync(new NoopArgs(2), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });
        h.Time.Advance(TimeSpan.FromSeconds(5));

        var stats = await h.Client.StatsAsync();
        Assert.Equal(1, stats.ByStatus[JobStatus.Completed]);
        Assert.Equal(1, stats.ByStatus[JobStatus.Failed]);
        Assert.Equal(2, stats.ByStatus[JobStatus.Pending]);
        Assert.Equal(1, stats.DuePending);
        Assert.Equal(1, stats.Scheduled);
        Assert.Equal(2, stats.ByType["noop"][JobStatus.Pending]);
        Assert.Equal(1, stats.ByQueue["q2"][JobStatus.Pending]);
        Assert.Equal(1, stats.CompletedLastHour);
        Assert.Equal(1, stats.FailedLastHour);
        Assert.Equal(TimeSpan.FromSeconds(5), stats.OldestDuePendingAge);
        var points = await h.Client.ThroughputAsync(TimeSpan.FromHours(1));
        Assert.Equal(60, points.Count);
        Assert.Equal(1, points.Sum(p => p.Completed));
    }

    [Fact]
    public async Task Delete_removes_a_job_but_not_a_running_one()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new EchoArgs("x"));
        Assert.Equal(JobActionResult.Done, await h.Client.DeleteAsync(r.Id));
        Assert.Null(await h.Client.GetAsync(r.Id));
        Assert.Equal(JobActionResult.NotFound, await h.Client.DeleteAsync(r.Id));
        var running = await h.Client.EnqueueAsync(new EchoArgs("y"));
        await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(1), "w"), CancellationToken.None);
        Assert.Equal(JobActionResult.Conflict, await h.Client.DeleteAsync(running.Id));
    }

    [Fact]
    public async Task A_batch_runs_up_to_max_jobs_concurrently_and_reports_each()
    {
        await using var h = await NewAsync();
        for (var i = 0; i < 3; i++) await h.Client.EnqueueAsync(new BlockArgs($"b{i}"));
        await h.Client.EnqueueAsync(new FailArgs(-1));
        for (var i = 0; i < 4; i++) await h.Client.EnqueueAsync(new EchoArgs($"e{i}"));
        var progress = new List<JobRunReport>();
        var batch = h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 6, Concurrency = 3, Progress = new ListProgress(progress) });
        // All three blockers run at once: a serial batch would never start the second.
        await Task.WhenAll(h.Recorder.Started("b0"), h.Recorder.Started("b1"), h.Recorder.Started("b2")).WaitAsync(Wait);
        for (var i = 0; i < 3; i++) h.Recorder.Open($"b{i}");
        var result = await batch.WaitAsync(Wait);
        Assert.Equal(6, result.Processed);
        Assert.Equal(5, result.Succeeded);
        Assert.Equal(1, result.Retried);
        Assert.Equal(6, result.Jobs.Select(j => j.Id).Distinct().Count());
        Assert.Equal(result.Jobs, progress);
        // Two never claimed, plus the one waiting to retry.
        Assert.Equal(3, (await h.Client.CountByStatusAsync())[JobStatus.Pending]);
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
    public async Task Migrations_are_idempotent_and_report_their_version()
    {
        await using var h = await NewAsync();
        await h.Store.MigrateAsync(CancellationToken.None);
        var (applied, latest) = await h.Store.MigrationVersionAsync(CancellationToken.None);
        Assert.Equal(latest, applied);
        Assert.True(applied >= 1);
    }

    [Fact]
    public async Task The_worker_drains_the_queue_and_stops_gracefully()
    {
        await using var h = await NewAsync(configure: b => b.AddWorker(o => { o.Concurrency = 4; o.PollInterval = TimeSpan.FromMilliseconds(200); }));
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 300).Select(i => new NoopArgs(i)));
        var worker = h.Services.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        await TestSupport.Eventually.WaitAsync(async () => (await h.Client.CountByStatusAsync())[JobStatus.Completed] == 300, Wait, "300 jobs completed");
        // An enqueue in this process wakes the idle worker.
        var late = await h.Client.EnqueueAsync(new EchoArgs("late"));
        await TestSupport.Eventually.WaitAsync(async () => (await h.Client.GetAsync(late.Id))!.Status == JobStatus.Completed, Wait, "the late job");
        await worker.StopAsync(CancellationToken.None);
        Assert.Equal(301, h.Recorder.Runs.Count);
        Assert.Equal(301, h.Recorder.Runs.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Graceful_shutdown_hands_back_an_unfinished_job_without_using_an_attempt()
    {
        await using var h = await NewAsync(configure: b => b.AddWorker(o => { o.ShutdownGrace = TimeSpan.FromMilliseconds(200); }));
        var r = await h.Client.EnqueueAsync(new BlockArgs("shutdown"));
        var worker = h.Services.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        await h.Recorder.Started("shutdown").WaitAsync(Wait);
        await worker.StopAsync(CancellationToken.None).WaitAsync(Wait);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(0, job.Attempts);
        Assert.Empty(job.Errors);
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

internal sealed class ListProgress(List<JobRunReport> reports) : IProgress<JobRunReport>
{
    public void Report(JobRunReport value) => reports.Add(value);
}

public sealed class SqliteConformanceTests : ConformanceTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgreSqlConformanceTests : ConformanceTests
{
    protected override string Provider => "postgresql";
}
