using Leora.Jobs.Maintenance;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Tests.Maintenance;

/// <summary>The one lifecycle of the worker's services: start and stop are idempotent, stop is graceful, a stopped service starts again.</summary>
public sealed class StartStopServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task The_contract_runs_one_loop_per_start_and_one_graceful_end_per_stop()
    {
        var service = new CountingService();
        await service.StopAsync(CancellationToken.None); // never started: nothing to do
        Assert.Equal(0, service.Stopped);

        await service.StartAsync(CancellationToken.None);
        await service.StartAsync(CancellationToken.None);
        await service.Running.Task.WaitAsync(Wait);
        Assert.True(service.IsRunning);
        Assert.Equal(1, service.Runs);

        await Task.WhenAll(service.StopAsync(CancellationToken.None), service.StopAsync(CancellationToken.None)).WaitAsync(Wait);
        await service.StopAsync(CancellationToken.None);
        Assert.False(service.IsRunning);
        Assert.Equal(1, service.Stopped);
        Assert.True(service.LoopSawStop, "the loop's token fired before the graceful end ran");

        await service.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => Task.FromResult(service.Runs == 2), Wait, "the second run");
        await service.StopAsync(CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(2, service.Stopped);
    }

    public static TheoryData<string> Services => ["producer", "rescuer", "node heartbeat", "leader elector", "pruner"];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Each_service_starts_and_stops_idempotently_and_starts_again(string which)
    {
        await using var h = await Harness.CreateAsync("sqlite");
        var node = new JobNodeState("svc-node", hasWorker: true);
        var worker = new JobWorkerOptions { NodeHeartbeatInterval = Interval, LeaderLease = TimeSpan.FromSeconds(20), PollInterval = Interval, RescueInterval = Interval, Retention = TimeSpan.FromMilliseconds(1) };
        var logger = h.Services.GetRequiredService<ILogger<StartStopServiceTests>>();
        var time = TimeProvider.System;
        StartStopService service = which switch
        {
            "producer" => new JobProducer(null, 2, h.Store, h.Services.GetRequiredService<JobExecutor>(), h.Services.GetRequiredService<JobSignal>(),
                h.Services.GetRequiredService<IOptions<JobsOptions>>().Value, worker, node, time, logger),
            "rescuer" => new JobRescuer(h.Processor, Interval, time, logger),
            "node heartbeat" => new NodeHeartbeater(h.Store, node, "*", "[]", 2, Interval, time, logger),
            "leader elector" => new LeaderElector(h.Store, node, Interval, worker.LeaderLease, time, logger),
            "pruner" => new JobPruner(h.Store, node, worker, time, logger),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };

        for (var round = 0; round < 2; round++)
        {
            await service.StartAsync(CancellationToken.None);
            await service.StartAsync(CancellationToken.None);
            Assert.True(service.IsRunning);
            await ShowsItsWorkAsync(which, h, node);

            await Task.WhenAll(service.StopAsync(CancellationToken.None), service.StopAsync(CancellationToken.None)).WaitAsync(Wait);
            await service.StopAsync(CancellationToken.None);
            Assert.False(service.IsRunning);
            await ShowsItStoppedAsync(which, h, node);
        }
    }

    // What each service does while it runs, read from the database.
    private static async Task ShowsItsWorkAsync(string which, Harness h, JobNodeState node)
    {
        switch (which)
        {
            case "producer":
                var job = await h.Client.EnqueueAsync(new NoopArgs(1));
                await Eventually.WaitAsync(async () => (await h.Client.GetAsync(job.Id))!.Status == JobStatus.Completed, Wait, "the producer to run a job");
                break;
            case "node heartbeat":
                await Eventually.WaitAsync(() => h.Store.NodeListAsync(CancellationToken.None), l => l.Any(n => n.Name == "svc-node"), Wait, "the node's row");
                break;
            case "leader elector":
                await Eventually.WaitAsync(() => Task.FromResult(node.IsLeader), Wait, "the node to lead");
                Assert.False(await h.Store.LeaderElectAsync("other", TimeSpan.FromSeconds(20), CancellationToken.None));
                break;
            case "pruner":
                // The pruner acts only as leader: lead by hand, as the elector would.
                Assert.True(await h.Store.LeaderElectAsync("svc-node", TimeSpan.FromSeconds(20), CancellationToken.None));
                node.IsLeader = true;
                var finished = await h.Client.EnqueueAsync(new NoopArgs(2));
                await h.Processor.ProcessOneAsync();
                // The pruner may already have deleted it (it runs while this test waits): completed or gone.
                var done = await h.Client.GetAsync(finished.Id);
                Assert.True(done is null || done.Status == JobStatus.Completed, $"job {finished.Id} is {done?.Status}");
                await Eventually.WaitAsync(async () => await h.Client.GetAsync(finished.Id) is null, Wait, "the pruner to delete the finished job");
                break;
            case "rescuer":
                var claimed = await h.Client.EnqueueAsync(new NoopArgs(3));
                var rows = await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMilliseconds(1), "dead-worker"), CancellationToken.None);
                Assert.Equal(claimed.Id, Assert.Single(rows).Id);
                await Eventually.WaitAsync(async () => (await h.Client.GetAsync(claimed.Id))!.Status == JobStatus.Pending, Wait, "the rescuer to rescue the expired lease");
                await h.Client.DeleteAsync(claimed.Id);
                break;
        }
    }

    private static async Task ShowsItStoppedAsync(string which, Harness h, JobNodeState node)
    {
        switch (which)
        {
            case "node heartbeat":
                Assert.DoesNotContain(await h.Store.NodeListAsync(CancellationToken.None), n => n.Name == "svc-node");
                break;
            case "leader elector":
                Assert.False(node.IsLeader);
                // It resigned: another holder takes the lease at once, then gives it back for the next round.
                Assert.True(await h.Store.LeaderElectAsync("other", TimeSpan.FromSeconds(20), CancellationToken.None));
                await h.Store.LeaderResignAsync("other", CancellationToken.None);
                break;
            case "pruner":
                node.IsLeader = false;
                await h.Store.LeaderResignAsync("svc-node", CancellationToken.None);
                break;
        }
    }

    private sealed class CountingService : StartStopService
    {
        private int _runs;
        private int _stopped;

        public TaskCompletionSource Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Runs => Volatile.Read(ref _runs);
        public int Stopped => Volatile.Read(ref _stopped);
        public volatile bool LoopSawStop;

        protected override async Task RunAsync(CancellationToken stopping)
        {
            Interlocked.Increment(ref _runs);
            Running.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, stopping);
            }
            catch (OperationCanceledException)
            {
                LoopSawStop = true;
            }
        }

        protected override Task OnStoppedAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _stopped);
            return Task.CompletedTask;
        }
    }
}
