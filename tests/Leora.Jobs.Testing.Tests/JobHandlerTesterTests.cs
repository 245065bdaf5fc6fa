using System.Text.Json;

namespace Leora.Jobs.Testing.Tests;

/// <summary>What the tester reports for each way a handler can end an attempt, and what the context shows the handler.</summary>
public sealed class JobHandlerTesterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_context_shows_the_attempt_the_test_chose()
    {
        using var context = JobTestContext.Create(new ProbeArgs("x"), attempt: 2, maxAttempts: 4, id: 42, queue: "mail",
            idempotencyKey: "k-1", previousResultJson: "{\"done\":3}");
        var handler = new ProbeHandler(job =>
        {
            Assert.Equal(42, job.Id);
            Assert.Equal(2, job.Attempt);
            Assert.Equal(4, job.MaxAttempts);
            Assert.Equal("mail", job.Queue);
            Assert.Equal("k-1", job.IdempotencyKey);
            Assert.Equal(3, job.PreviousResult!.Value.GetProperty("done").GetInt32());
            Assert.Equal("x", job.Args.Text);
            return Task.CompletedTask;
        });
        var result = await JobHandlerTester.RunAsync(handler, context);
        Assert.Equal(JobTestOutcome.Completed, result.Outcome);
        Assert.Null(result.ResultJson);
    }

    [Fact]
    public async Task Results_are_stored_as_the_queue_would_store_them_and_progress_is_clamped()
    {
        var result = await JobHandlerTester.RunAsync(new ProbeHandler(async job =>
        {
            Assert.True(await job.ReportProgressAsync(-5));
            Assert.True(await job.ReportProgressAsync(60, "half"));
            Assert.True(await job.ReportProgressAsync(250, "over"));
            job.SetResult(new ProbeResult("first", 1));
            job.SetResult(new ProbeResult("second", 2));
        }), new ProbeArgs("x"));

        Assert.Equal("{\"label\":\"second\",\"count\":2}", result.ResultJson);
        Assert.Equal(2, result.Result!.Value.GetProperty("count").GetInt32());
        Assert.Equal(new ProbeResult("second", 2), result.ResultAs<ProbeResult>());
        Assert.Equal([new JobProgressReport(0, null), new JobProgressReport(60, "half"), new JobProgressReport(100, "over")], result.Progress);
    }

    [Fact]
    public async Task A_retry_request_carries_its_delay()
    {
        var result = await JobHandlerTester.RunAsync(new ProbeHandler(_ =>
            throw new RetryJobException("rate limited", TimeSpan.FromSeconds(90))), new ProbeArgs("x"));
        Assert.Equal(JobTestOutcome.RetryRequested, result.Outcome);
        Assert.Equal(JobOutcome.Retried, result.WorkerOutcome);
        Assert.Equal(TimeSpan.FromSeconds(90), result.RetryAfter);

        var last = await JobHandlerTester.RunAsync(new ProbeHandler(_ => throw new RetryJobException("still limited")), new ProbeArgs("x"), attempt: 3, maxAttempts: 3);
        Assert.Equal(JobTestOutcome.RetryRequested, last.Outcome);
        Assert.Equal(JobOutcome.Failed, last.WorkerOutcome);
        Assert.Null(last.RetryAfter);
    }

    [Fact]
    public async Task A_cancel_request_fires_the_handlers_token_and_the_job_ends_cancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var context = JobTestContext.Create(new ProbeArgs("x"));
        var run = JobHandlerTester.RunAsync(new ProbeHandler(async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }), context);
        await started.Task.WaitAsync(Wait);
        context.RequestCancel();

        var result = await run.WaitAsync(Wait);
        Assert.Equal(JobTestOutcome.Cancelled, result.Outcome);
        Assert.Equal(JobOutcome.Cancelled, result.WorkerOutcome);
        Assert.True(context.CancelRequested);
    }

    [Fact]
    public async Task A_lost_lease_fires_the_token_and_refuses_progress()
    {
        using var context = JobTestContext.Create(new ProbeArgs("x"));
        bool? accepted = null;
        context.LoseLease();
        var result = await JobHandlerTester.RunAsync(new ProbeHandler(async (job, ct) =>
        {
            accepted = await job.ReportProgressAsync(50, "late", CancellationToken.None);
            ct.ThrowIfCancellationRequested();
        }), context);

        Assert.False(accepted);
        Assert.Empty(result.Progress);
        Assert.Equal(JobTestOutcome.Cancelled, result.Outcome);
        Assert.Equal(JobOutcome.LeaseLost, result.WorkerOutcome);
    }

    [Fact]
    public async Task The_tests_own_token_acts_as_a_worker_shutdown()
    {
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = JobHandlerTester.RunAsync(new ProbeHandler(async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }), new ProbeArgs("x"), cancellationToken: cts.Token);
        await started.Task.WaitAsync(Wait);
        await cts.CancelAsync();

        var result = await run.WaitAsync(Wait);
        Assert.Equal(JobTestOutcome.Cancelled, result.Outcome);
        Assert.Equal(JobOutcome.Released, result.WorkerOutcome);
    }

    [Fact]
    public async Task Arguments_reach_the_handler_through_the_queues_json()
    {
        var args = new ProbeArgs("round trip");
        ProbeArgs? seen = null;
        await JobHandlerTester.RunAsync(new ProbeHandler(job => { seen = job.Args; return Task.CompletedTask; }), args);
        Assert.Equal(args, seen);
        Assert.NotSame(args, seen);

        // Arguments that a worker could not bind back fail when the test builds the context, as they would at enqueue.
        Assert.ThrowsAny<JsonException>(() => JobTestContext.Create(new ProbeArgs(null!)));
    }

    [Fact]
    public async Task A_handler_can_be_called_directly_with_the_test_context()
    {
        using var context = JobTestContext.Create(new ProbeArgs("direct"), attempt: 2);
        var handler = new ProbeHandler(async job =>
        {
            await job.ReportProgressAsync(30, job.Args.Text);
            job.SetResult(new ProbeResult(job.Args.Text, job.Attempt));
        });

        await handler.HandleAsync(context, context.CancellationToken);

        Assert.Equal([new JobProgressReport(30, "direct")], context.Progress);
        Assert.Equal("{\"label\":\"direct\",\"count\":2}", context.ResultJson);
        Assert.Equal("direct", context.Result!.Value.GetProperty("label").GetString());
    }

    [Fact]
    public void Bad_context_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JobTestContext.Create(new ProbeArgs("x"), attempt: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => JobTestContext.Create(new ProbeArgs("x"), maxAttempts: 0));
        Assert.ThrowsAny<JsonException>(() => JobTestContext.Create(new ProbeArgs("x"), previousResultJson: "{not json"));
    }

    public sealed record ProbeArgs(string Text) : IJobArgs
    {
        public static string Kind => "probe";
    }

    public sealed record ProbeResult(string Label, int Count);

    private sealed class ProbeHandler(Func<JobContext<ProbeArgs>, CancellationToken, Task> body) : IJobHandler<ProbeArgs>
    {
        public ProbeHandler(Func<JobContext<ProbeArgs>, Task> simple) : this((job, _) => simple(job)) { }

        public Task HandleAsync(JobContext<ProbeArgs> job, CancellationToken cancellationToken) => body(job, cancellationToken);
    }
}
