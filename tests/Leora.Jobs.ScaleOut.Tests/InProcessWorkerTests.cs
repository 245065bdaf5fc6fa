using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.ScaleOut.Tests;

/// <summary>
/// The worker's lifecycle in one process, on both stores: graceful shutdown, nodes and leadership. The store-level
/// leader and batch-completion tests live in the conformance suite (tests/Leora.Jobs.Tests/Conformance).
/// </summary>
public sealed class InProcessWorkerTests
{
    public static TheoryData<string> Stores => ["sqlite", "postgresql"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Graceful_shutdown_hands_back_an_unfinished_job_without_burning_an_attempt(string store)
    {
        await using var node = await Node.StartAsync(store, "graceful", o => o.ShutdownGrace = TimeSpan.FromMilliseconds(200));
        var id = (await node.Client.EnqueueAsync(new HangArgs(1))).Id;
        await node.Hang.Started.Task.WithTimeout(TimeSpan.FromSeconds(30), "the handler to start");

        await node.Worker.StopAsync(CancellationToken.None);

        var job = await node.Store.JobGetAsync(id, CancellationToken.None);
        Assert.NotNull(job);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(0, job.Attempts);
        Assert.Null(job.LockToken);
        Assert.True(node.Hang.Cancelled, "the handler's token fired after the grace period");
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Nodes_register_one_leads_and_a_stopped_leader_hands_over(string store)
    {
        await using var shared = TestDatabase.Create(store, "so");
        // Disposed in reverse order: both nodes stop before their shared database is dropped.
        await using var a = await Node.StartAsync(store, "node-a", Fast, shared);
        await using var b = await Node.StartAsync(store, "node-b", Fast, shared);
        var nodes = await Eventually.WaitAsync(() => a.Store.NodeListAsync(CancellationToken.None),
            l => l.Count == 2 && l.Count(n => n.IsLeader) == 1, TimeSpan.FromSeconds(30), "two nodes, one leader");
        Assert.Equal(["node-a", "node-b"], nodes.Select(n => n.Name));
        Assert.All(nodes, n => Assert.Equal("*", n.Queues));
        var (leader, follower) = nodes.Single(n => n.IsLeader).Name == "node-a" ? (a, b) : (b, a);
        // The database names the leader when the elector's statement commits; the worker's own flag follows once
        // that round returns, so on a busy machine it can lag the row: wait for it rather than read it.
        await Eventually.WaitAsync(() => Task.FromResult(leader.Worker.IsLeader), TimeSpan.FromSeconds(30), "the leader's flag");
        Assert.False(follower.Worker.IsLeader);

        // A graceful stop resigns: the follower need not wait for the lease to run out.
        await leader.Worker.StopAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => Task.FromResult(follower.Worker.IsLeader), TimeSpan.FromSeconds(30), "the follower to lead");
        var after = await follower.Store.NodeListAsync(CancellationToken.None);
        Assert.Equal([follower.Worker.NodeName], after.Select(n => n.Name));

        static void Fast(JobWorkerOptions o)
        {
            o.NodeHeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.LeaderLease = TimeSpan.FromSeconds(20);
        }
    }

    /// <summary>One worker node in this process on a fresh (or shared) database.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly Func<ValueTask> _cleanup;

        private Node(ServiceProvider services, Func<ValueTask> cleanup)
        {
            _services = services;
            _cleanup = cleanup;
        }

        public IJobClient Client => _services.GetRequiredService<IJobClient>();
        public IJobStore Store => _services.GetRequiredService<IJobStore>();
        public JobWorker Worker => _services.GetRequiredService<JobWorker>();
        public HangState Hang => _services.GetRequiredService<HangState>();

        public static async Task<Node> StartAsync(string store, string name, Action<JobWorkerOptions>? worker = null,
            TestDatabase? shared = null)
        {
            var services = new ServiceCollection();
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
            services.AddSingleton<HangState>();
            var builder = services.AddLeoraJobs(o => { o.WorkerName = name; o.MigrateOnStart = false; })
                .AddJob<HangArgs, HangHandler>()
                .AddWorker(o => { o.Concurrency = 2; o.PollInterval = TimeSpan.FromMilliseconds(100); worker?.Invoke(o); });
            // A node on a shared database leaves it to its creator; a node on its own database drops it.
            var own = shared is null ? TestDatabase.Create(store, "so") : null;
            (shared ?? own!).Use(builder);
            Func<ValueTask> cleanup = () => own?.DisposeAsync() ?? ValueTask.CompletedTask;
            var sp = services.BuildServiceProvider();
            await sp.GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
            await sp.GetRequiredService<JobWorker>().StartAsync(CancellationToken.None);
            return new Node(sp, cleanup);
        }

        public async ValueTask DisposeAsync()
        {
            await _services.DisposeAsync();
            await _cleanup();
        }
    }
}

public sealed record HangArgs(int N) : IJobArgs
{
    public static string Kind => "hang";
}

/// <summary>What the hanging handler saw.</summary>
public sealed class HangState
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public volatile bool Cancelled;
}

/// <summary>Runs until its token fires.</summary>
public sealed class HangHandler(HangState state) : IJobHandler<HangArgs>
{
    public async Task HandleAsync(JobContext<HangArgs> job, CancellationToken cancellationToken)
    {
        state.Started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            state.Cancelled = true;
            throw;
        }
    }
}
