namespace Leora.Jobs.Bench;

/// <summary>A job that does nothing; <see cref="EnqueuedAtUs"/> (Unix µs, 0 for none) lets the handler measure enqueue→start latency.</summary>
internal sealed record NoopArgs(long EnqueuedAtUs) : IJobArgs
{
    public static string Kind => "bench_noop";
}

/// <summary>Counts starts and records latencies into the process's <see cref="Probe"/>.</summary>
internal sealed class NoopHandler(Probe probe) : IJobHandler<NoopArgs>
{
    public Task HandleAsync(JobContext<NoopArgs> job, CancellationToken ct)
    {
        probe.Started(job.Args.EnqueuedAtUs);
        return Task.CompletedTask;
    }
}
