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

/// <summary>A rate-limited no-op type of the limits scenarios (docs/limits.md): its starts are counted from the database.</summary>
internal sealed record LimitedNoopArgs(int N) : IJobArgs
{
    public static string Kind => "bench_limited";
}

internal sealed class LimitedNoopHandler : IJobHandler<LimitedNoopArgs>
{
    public Task HandleAsync(JobContext<LimitedNoopArgs> job, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>A concurrency-limited type of the limits scenarios: each job runs for <see cref="Ms"/> so that three overlap.</summary>
internal sealed record SlowLimitedArgs(int Ms) : IJobArgs
{
    public static string Kind => "bench_concurrent";
}

internal sealed class SlowLimitedHandler : IJobHandler<SlowLimitedArgs>
{
    public Task HandleAsync(JobContext<SlowLimitedArgs> job, CancellationToken ct) => Task.Delay(job.Args.Ms, ct);
}
