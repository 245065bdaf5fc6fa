namespace Leora.Jobs.Tests;

/// <summary>
/// Enqueues <see cref="Children"/> echo jobs through its context (into <see cref="BatchId"/> when given), then fails while
/// its attempt is at most <see cref="FailAttempts"/>.
/// </summary>
public sealed record SpawnArgs(int Children, int FailAttempts = 0, long? BatchId = null) : IJobArgs
{
    public static string Kind => "spawn";
}

public sealed class SpawnHandler(Recorder recorder) : IJobHandler<SpawnArgs>
{
    public Task HandleAsync(JobContext<SpawnArgs> job, CancellationToken cancellationToken)
    {
        recorder.Runs.Enqueue((job.Id, SpawnArgs.Kind, job.Attempt));
        for (var i = 0; i < job.Args.Children; i++)
            job.EnqueueChild(new EchoArgs($"child {i} of {job.Id}"), new EnqueueOptions { BatchId = job.Args.BatchId });
        if (job.Attempt <= job.Args.FailAttempts) throw new InvalidOperationException($"spawn fails attempt {job.Attempt}");
        return Task.CompletedTask;
    }
}
