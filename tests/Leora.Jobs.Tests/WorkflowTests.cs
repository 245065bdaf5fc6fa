using System.Text.Json;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Tests;

/// <summary>Workflows (issue 14, docs/workflows.md) on both stores: dependencies, graphs, batches and handler children.</summary>
public sealed class WorkflowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static Task<Harness> NewAsync(string provider, bool fakeTime = false, Action<LeoraJobsBuilder>? configure = null) =>
        Harness.CreateAsync(provider, fakeTime, b =>
        {
            b.AddJob<SpawnArgs, SpawnHandler>();
            configure?.Invoke(b);
        });

    private static IJobWorkflows Workflows(Harness h) => h.Services.GetRequiredService<IJobWorkflows>();

    private static WorkflowJob Echo(string message, string? reference = null, params string[] dependsOn) =>
        WorkflowJob.For(new EchoArgs(message), reference, null, dependsOn);

    /// <summary>Runs batches until one claims nothing.</summary>
    private static async Task DrainAsync(Harness h)
    {
        for (var i = 0; i < 100; i++)
            if ((await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 50 })).Processed == 0) return;
        throw new InvalidOperationException("The queue did not drain.");
    }

    private static async Task<JobInfo> JobAsync(Harness h, long id) => (await h.Client.GetAsync(id))!;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Dependants_wait_and_run_after_every_parent_completed(string provider)
    {
        await using var h = await NewAsync(provider);
        var graph = await Workflows(h).EnqueueGraphAsync(
        [
            Echo("d", "d", "b", "c"),
            Echo("a", "a"),
            Echo("b", "b", "a"),
            Echo("c", "c", "a"),
        ]);
        var (d, a, b, c) = (graph.JobIds[0], graph.JobIds[1], graph.JobIds[2], graph.JobIds[3]);
        Assert.Equal(JobStatus.Pending, (await JobAsync(h, a)).Status);
        foreach (var id in new[] { b, c, d }) Assert.Equal(JobStatus.Waiting, (await JobAsync(h, id)).Status);
        Assert.Equal(3, (await h.Client.CountByStatusAsync())[JobStatus.Waiting]);

        await DrainAsync(h);
        var order = h.Recorder.Runs.Select(r => r.Id).ToList();
        Assert.Equal(4, order.Count);
        Assert.Equal(a, order[0]);
        Assert.Equal(d, order[3]);
        foreach (var id in new[] { a, b, c, d }) Assert.Equal(JobStatus.Completed, (await JobAsync(h, id)).Status);
        // A released dependant's timeline says so.
        Assert.Contains((await h.Client.TimelineAsync(d))!, e => e.Kind == JobEventKind.Released);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_failed_parent_cancels_its_dependants_with_the_reason_and_run_anyway_ones_run(string provider)
    {
        await using var h = await NewAsync(provider);
        var parent = await h.Client.EnqueueAsync(new FailArgs(-1, Permanent: true));
        var child = await h.Client.EnqueueAsync(new EchoArgs("child"), new EnqueueOptions { DependsOn = [parent.Id] });
        var grandchild = await h.Client.EnqueueAsync(new EchoArgs("grandchild"), new EnqueueOptions { DependsOn = [child.Id] });
        var anyway = await h.Client.EnqueueAsync(new EchoArgs("anyway"),
            new EnqueueOptions { DependsOn = [parent.Id], OnParentFailure = ParentFailurePolicy.RunAnyway });
        Assert.Equal(JobStatus.Waiting, child.ToJobInfo()!.Status);

        await DrainAsync(h);
        Assert.Equal(JobStatus.Failed, (await JobAsync(h, parent.Id)).Status);
        var c = await JobAsync(h, child.Id);
        Assert.Equal(JobStatus.Cancelled, c.Status);
        Assert.Contains($"Parent job {parent.Id} failed", c.Errors[^1].Message);
        var g = await JobAsync(h, grandchild.Id);
        Assert.Equal(JobStatus.Cancelled, g.Status);
        Assert.Contains($"Parent job {child.Id} cancelled", g.Errors[^1].Message);
        Assert.Equal(JobStatus.Completed, (await JobAsync(h, anyway.Id)).Status);
        Assert.Equal(0, h.Recorder.RunsOf(child.Id) + h.Recorder.RunsOf(grandchild.Id));

        // Enqueued after its parent failed: cancelled at once, with the same reason.
        var late = await h.Client.EnqueueAsync(new EchoArgs("late"), new EnqueueOptions { DependsOn = [parent.Id] });
        var l = await JobAsync(h, late.Id);
        Assert.Equal(JobStatus.Cancelled, l.Status);
        Assert.Contains($"Parent job {parent.Id} failed", l.Errors[^1].Message);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Cancelling_a_parent_cancels_its_waiting_dependants(string provider)
    {
        await using var h = await NewAsync(provider);
        var graph = await Workflows(h).EnqueueGraphAsync([Echo("p", "p"), Echo("c", "c", "p")]);
        Assert.Equal(JobCancelResult.Cancelled, await h.Client.CancelAsync(graph.JobIds[0]));
        var c = await JobAsync(h, graph.JobIds[1]);
        Assert.Equal(JobStatus.Cancelled, c.Status);
        Assert.Contains($"Parent job {graph.JobIds[0]} cancelled", c.Errors[^1].Message);
        // An unfinished workflow job is not deleted (its dependants would wait for ever); a finished one is.
        var waiting = await Workflows(h).EnqueueGraphAsync([Echo("x", "x"), Echo("y", "y", "x")]);
        Assert.Equal(JobActionResult.Conflict, await h.Client.DeleteAsync(waiting.JobIds[1]));
        Assert.Equal(JobActionResult.Done, await h.Client.DeleteAsync(graph.JobIds[1]));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_cycle_an_unknown_reference_or_an_unknown_parent_is_refused_and_nothing_is_written(string provider)
    {
        await using var h = await NewAsync(provider);
        var cycle = await Assert.ThrowsAsync<JobValidationException>(() =>
            Workflows(h).EnqueueGraphAsync([Echo("a", "a", "c"), Echo("b", "b", "a"), Echo("c", "c", "b"), Echo("free", "free")]));
        Assert.Contains("cycle", cycle.Message);
        Assert.Contains("a → b → c → a", cycle.Message.Replace("b → c → a → b", "a → b → c → a").Replace("c → a → b → c", "a → b → c → a"));
        var unknownRef = await Assert.ThrowsAsync<JobValidationException>(() => Workflows(h).EnqueueGraphAsync([Echo("a", "a", "nope")]));
        Assert.Contains("'nope'", unknownRef.Message);
        var unknownParent = await Assert.ThrowsAsync<JobValidationException>(() =>
            h.Client.EnqueueAsync(new EchoArgs("x"), new EnqueueOptions { DependsOn = [987654321] }));
        Assert.Equal("dependsOn", unknownParent.Field);
        Assert.Contains("987654321", unknownParent.Message);
        // A graph whose existing parent is unknown writes none of its jobs.
        await Assert.ThrowsAsync<JobValidationException>(() => Workflows(h).EnqueueGraphAsync(
            [Echo("a", "a"), Echo("b", "b", "a") with { Options = new EnqueueOptions { DependsOn = [987654321] } }]));
        Assert.Empty((await h.Client.ListAsync(new JobQuery { Limit = 10 })).Items);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_counts_its_members_and_fires_the_callbacks_that_apply_once(string provider)
    {
        await using var h = await NewAsync(provider);
        var created = await Workflows(h).CreateBatchAsync(new JobBatchRequest
        {
            Description = "import 7",
            Jobs = [.. Enumerable.Range(0, 5).Select(i => Echo($"m{i}")), WorkflowJob.For(new FailArgs(-1, Permanent: true))],
            OnComplete = Echo("complete"),
            OnSuccess = Echo("success"),
            OnFailure = Echo("failure"),
        });
        Assert.Equal(6, created.JobIds.Count);
        var batchId = created.BatchId!.Value;
        var before = (await Workflows(h).GetBatchAsync(batchId))!;
        Assert.Equal((6, 6, 0), (before.Total, before.Pending, before.Completed));
        Assert.Equal(JobStatus.Waiting, (await JobAsync(h, created.OnCompleteJobId!.Value)).Status);

        await DrainAsync(h);
        var batch = (await Workflows(h).GetBatchAsync(batchId))!;
        Assert.Equal((6, 0, 5, 1, 0), (batch.Total, batch.Pending, batch.Completed, batch.Failed, batch.Cancelled));
        Assert.True(batch.IsFinished);
        Assert.NotNull(batch.FinishedAt);
        Assert.Equal("import 7", batch.Description);
        Assert.Equal(created.OnCompleteJobId, batch.OnCompleteJobId);
        Assert.Equal(JobStatus.Completed, (await JobAsync(h, created.OnCompleteJobId!.Value)).Status);
        Assert.Equal(JobStatus.Completed, (await JobAsync(h, created.OnFailureJobId!.Value)).Status);
        var success = await JobAsync(h, created.OnSuccessJobId!.Value);
        Assert.Equal(JobStatus.Cancelled, success.Status);
        Assert.Equal("BatchCallbackSkipped", success.Errors[^1].Type);
        Assert.Equal(1, h.Recorder.RunsOf(created.OnCompleteJobId!.Value));
        Assert.Equal(1, h.Recorder.RunsOf(created.OnFailureJobId!.Value));
        Assert.Equal(6, (await Workflows(h).ListBatchJobsAsync(batchId)).Count);
        // A finished batch takes no more members.
        var closed = await Assert.ThrowsAsync<JobValidationException>(() => Workflows(h).AddToBatchAsync(batchId, [Echo("late")]));
        Assert.Equal("batchId", closed.Field);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Cancelling_a_batch_cancels_its_waiting_callbacks_and_its_members(string provider)
    {
        await using var h = await NewAsync(provider);
        var created = await Workflows(h).CreateBatchAsync(new JobBatchRequest { Jobs = [Echo("a"), Echo("b")], OnComplete = Echo("done") });
        Assert.Equal(JobCancelResult.Cancelled, await Workflows(h).CancelBatchAsync(created.BatchId!.Value));
        Assert.Equal(JobCancelResult.AlreadyFinished, await Workflows(h).CancelBatchAsync(created.BatchId!.Value));
        Assert.Equal(JobCancelResult.NotFound, await Workflows(h).CancelBatchAsync(123456));
        var batch = (await Workflows(h).GetBatchAsync(created.BatchId!.Value))!;
        Assert.Equal((0, 2), (batch.Pending, batch.Cancelled));
        Assert.NotNull(batch.CancelledAt);
        Assert.Equal(JobStatus.Cancelled, (await JobAsync(h, created.OnCompleteJobId!.Value)).Status);
        await DrainAsync(h);
        Assert.Empty(h.Recorder.Runs);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Children_of_a_failed_attempt_never_appear_and_the_retry_enqueues_them_once(string provider)
    {
        await using var h = await NewAsync(provider, fakeTime: true);
        var parent = await h.Client.EnqueueAsync(new SpawnArgs(Children: 3, FailAttempts: 1));
        await DrainAsync(h);
        Assert.Equal(JobStatus.Pending, (await JobAsync(h, parent.Id)).Status);
        Assert.Empty((await h.Client.ListAsync(new JobQuery { Type = "echo", Limit = 10 })).Items);

        h.Time!.Advance(TimeSpan.FromMinutes(5));
        await DrainAsync(h);
        Assert.Equal(JobStatus.Completed, (await JobAsync(h, parent.Id)).Status);
        var children = (await h.Client.ListAsync(new JobQuery { Type = "echo", Limit = 10 })).Items;
        Assert.Equal(3, children.Count);
        Assert.All(children, c => Assert.Equal(JobStatus.Completed, c.Status));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_completion_whose_lease_was_lost_writes_neither_the_outcome_nor_the_children(string provider)
    {
        await using var h = await NewAsync(provider);
        var job = await h.Client.EnqueueAsync(new EchoArgs("held"));
        var claimed = (await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w"), CancellationToken.None)).Single();
        var children = new WorkflowInsertParams([new WorkflowJobParams(new JobInsertParams("echo", "default", """{"message":"c"}""", 0, 3, null, null, null))]);
        Assert.Null(await h.Store.JobCompleteWithChildrenAsync(new JobCompleteParams(job.Id, Guid.NewGuid(), null), children, CancellationToken.None));
        Assert.Equal(JobStatus.Processing, (await JobAsync(h, job.Id)).Status);
        Assert.Single((await h.Client.ListAsync(new JobQuery { Limit = 10 })).Items);
        async Task<long> CompletedInHistory() => (await h.Client.HistoryAsync(JobHistoryRange.Day)).Points.Sum(p => p.Completed);
        Assert.Equal(0, await CompletedInHistory());
        var written = await h.Store.JobCompleteWithChildrenAsync(new JobCompleteParams(job.Id, claimed.LockToken!.Value, null), children, CancellationToken.None);
        Assert.NotNull(written);
        Assert.Equal(JobStatus.Completed, (await JobAsync(h, job.Id)).Status);
        // Counted in the history by the completion's own transaction.
        Assert.Equal(1, await CompletedInHistory());
        Assert.Equal(JobStatus.Pending, (await JobAsync(h, written.JobIds[0])).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_handler_adds_children_to_its_batch_and_the_callback_waits_for_them(string provider)
    {
        await using var h = await NewAsync(provider);
        var batchId = (await Workflows(h).CreateBatchAsync(new JobBatchRequest { Jobs = [Echo("seed")], OnComplete = Echo("report") })).BatchId!.Value;
        // The spawner joins the batch, then adds its children to it from its handler.
        var spawner = await h.Client.EnqueueAsync(new SpawnArgs(Children: 4, BatchId: batchId), new EnqueueOptions { BatchId = batchId });
        await DrainAsync(h);
        var batch = (await Workflows(h).GetBatchAsync(batchId))!;
        var spawned = await JobAsync(h, spawner.Id);
        Assert.True((6, 0, 6) == (batch.Total, batch.Pending, batch.Completed),
            $"batch {(batch.Total, batch.Pending, batch.Completed)}; the spawner {spawned.Status}: {string.Join(" | ", spawned.Errors.Select(e => e.Type + ": " + e.Message + " " + e.StackTrace))}");
        var report = batch.OnCompleteJobId!.Value;
        var runs = h.Recorder.Runs.ToList();
        Assert.Equal(1, runs.Count(r => r.Id == report));
        // The callback ran after every member, the spawner's children included.
        Assert.Equal(report, runs[^1].Id);
        Assert.Equal(1, h.Recorder.RunsOf(spawner.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Several_worker_hosts_finishing_a_batch_at_once_fire_its_callback_exactly_once(string provider)
    {
        var database = TestDatabase.Create(provider, "wf");
        var hosts = new List<ServiceProvider>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var services = new ServiceCollection();
                services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
                services.AddSingleton<Recorder>();
                var builder = services.AddLeoraJobs(o => o.WorkerName = $"wf-node-{i}")
                    .AddJob<NoopArgs, NoopHandler>()
                    .AddJob<EchoArgs, EchoHandler>()
                    .AddWorker(o => { o.Concurrency = 8; o.PollInterval = TimeSpan.FromMilliseconds(50); });
                database.Use(builder);
                hosts.Add(services.BuildServiceProvider());
            }
            await hosts[0].GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
            var workflows = hosts[0].GetRequiredService<IJobWorkflows>();
            var created = await workflows.CreateBatchAsync(new JobBatchRequest
            {
                Jobs = [.. Enumerable.Range(0, 600).Select(i => WorkflowJob.For(new NoopArgs(i)))],
                OnComplete = Echo("done"),
                OnSuccess = Echo("ok"),
            });
            foreach (var host in hosts) await host.GetRequiredService<JobWorker>().StartAsync(CancellationToken.None);
            var client = hosts[0].GetRequiredService<IJobClient>();
            await Eventually.WaitAsync(async () =>
                (await client.GetAsync(created.OnCompleteJobId!.Value))!.Status == JobStatus.Completed &&
                (await client.GetAsync(created.OnSuccessJobId!.Value))!.Status == JobStatus.Completed, Wait, "both callbacks completed");
            foreach (var host in hosts) await host.GetRequiredService<JobWorker>().StopAsync(CancellationToken.None);
            var batch = (await workflows.GetBatchAsync(created.BatchId!.Value))!;
            Assert.Equal((600, 0, 600), (batch.Total, batch.Pending, batch.Completed));
            var runs = hosts.SelectMany(s => s.GetRequiredService<Recorder>().Runs).ToList();
            Assert.Equal(1, runs.Count(r => r.Id == created.OnCompleteJobId));
            Assert.Equal(1, runs.Count(r => r.Id == created.OnSuccessJobId));
            Assert.Equal(600, runs.Count(r => r.Kind == "noop"));
            // More than one host took part (the point of the test), and the echo jobs are the two callbacks only.
            Assert.True(hosts.Count(s => !s.GetRequiredService<Recorder>().Runs.IsEmpty) > 1);
            Assert.Equal(2, (await client.ListAsync(new JobQuery { Type = "echo", Limit = 10 })).Items.Count);
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_single_enqueue_joins_a_running_batch_and_its_payload_stays_as_sent(string provider)
    {
        await using var h = await NewAsync(provider);
        var batchId = (await Workflows(h).CreateBatchAsync(new JobBatchRequest { Jobs = [Echo("first")] })).BatchId!.Value;
        var joined = await h.Client.EnqueueAsync("echo", JsonDocument.Parse("""{"message":"second"}""").RootElement,
            new EnqueueOptions { BatchId = batchId });
        Assert.Equal("second", joined.ToJobInfo()!.Payload.GetProperty("message").GetString());
        Assert.Equal(2, (await Workflows(h).GetBatchAsync(batchId))!.Total);
    }
}
