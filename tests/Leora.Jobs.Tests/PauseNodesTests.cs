using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Tests;

/// <summary>
/// A pause written by one node is honoured by another node's running worker on the same database, and a resume there lets
/// the job run (issue 12): the claim reads the pauses table itself, so there is nothing for the other node to reload.
/// </summary>
public sealed class PauseNodesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_pause_written_by_one_node_holds_on_another_nodes_worker_until_resumed(string provider)
    {
        await using var database = TestDatabase.Create(provider, "pause");
        await using var operatorNode = Node(database, "operator", worker: false);
        await using var workerNode = Node(database, "worker", worker: true);
        await operatorNode.GetRequiredService<Storage.IJobStore>().MigrateAsync(CancellationToken.None);
        var worker = workerNode.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        try
        {
            var pauses = operatorNode.GetRequiredService<IJobPauses>();
            var client = operatorNode.GetRequiredService<IJobClient>();
            await pauses.PauseAsync(JobPauseScope.Type, NoopArgs.Kind);
            // The paused job comes first in claim order: once the worker has run the later, lower-priority one, its claims
            // have passed over the paused one.
            var paused = (await client.EnqueueAsync(new NoopArgs(1), new EnqueueOptions { Priority = 5 })).Id;
            var after = (await client.EnqueueAsync(new EchoArgs("after"), new EnqueueOptions { Priority = -5 })).Id;
            await Eventually.WaitAsync(async () => (await client.GetAsync(after))!.Status == JobStatus.Completed, Wait, "the unpaused job, on the worker node");
            var job = (await client.GetAsync(paused))!;
            Assert.Equal(JobStatus.Pending, job.Status);
            Assert.Equal(0, job.Attempts);

            Assert.True(await pauses.ResumeAsync(JobPauseScope.Type, NoopArgs.Kind));
            var done = await Eventually.WaitAsync(() => client.GetAsync(paused), j => j!.Status == JobStatus.Completed, Wait, "the resumed job, on the worker node");
            Assert.Equal(1, done!.Attempts);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    private static ServiceProvider Node(TestDatabase database, string name, bool worker)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Recorder>();
        var builder = services.AddLeoraJobs(o => o.WorkerName = name)
            .AddJob<NoopArgs, NoopHandler>()
            .AddJob<EchoArgs, EchoHandler>();
        database.Use(builder);
        if (worker) builder.AddWorker(o => o.PollInterval = TimeSpan.FromMilliseconds(200));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
