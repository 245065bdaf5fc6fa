using System.Collections.Concurrent;

namespace Leora.Jobs.Tests;

/// <summary>What the test handlers did, and gates that tests open to let them go on.</summary>
public sealed class Recorder
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

    public ConcurrentQueue<(long Id, string Kind, int Attempt)> Runs { get; } = new();

    public int RunsOf(long id) => Runs.Count(r => r.Id == id);

    public Task Started(string key) => _started.GetOrAdd(key, _ => New()).Task;

    public void MarkStarted(string key) => _started.GetOrAdd(key, _ => New()).TrySetResult();

    public Task Gate(string key) => _gates.GetOrAdd(key, _ => New()).Task;

    public void Open(string key) => _gates.GetOrAdd(key, _ => New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed record EchoArgs(string Message) : IJobArgs
{
    public static string Kind => "echo";
}

public sealed class EchoHandler(Recorder recorder) : IJobHandler<EchoArgs>
{
    public Task HandleAsync(JobContext<EchoArgs> job, CancellationToken cancellationToken)
    {
        recorder.Runs.Enqueue((job.Id, EchoArgs.Kind, job.Attempt));
        job.SetResult(new { echoed = job.Args.Message, attempt = job.Attempt });
        return Task.CompletedTask;
    }
}

/// <summary>Fails its first <see cref="FailTimes"/> attempts (all when negative); permanently when <see cref="Permanent"/>.</summary>
public sealed record FailArgs(int FailTimes, bool Permanent = false, double? RetryAfterSeconds = null) : IJobArgs
{
    public static string Kind => "fail";
}

public sealed class FailHandler(Recorder recorder) : IJobHandler<FailArgs>
{
    public Task HandleAsync(JobContext<FailArgs> job, CancellationToken cancellationToken)
    {
        recorder.Runs.Enqueue((job.Id, FailArgs.Kind, job.Attempt));
        if (job.Args.FailTimes < 0 || job.Attempt <= job.Args.FailTimes)
        {
            if (job.Args.Permanent) throw new PermanentJobException($"permanent failure on attempt {job.Attempt}");
            if (job.Args.RetryAfterSeconds is { } s) throw new RetryJobException($"retry later (attempt {job.Attempt})", TimeSpan.FromSeconds(s));
            throw new InvalidOperationException($"boom on attempt {job.Attempt}");
        }
        return Task.CompletedTask;
    }
}

/// <summary>Marks itself started under <see cref="Key"/>, reports progress, then waits for the test to open its gate (or for its token).</summary>
public sealed record BlockArgs(string Key) : IJobArgs
{
    public static string Kind => "block";
}

public sealed class BlockHandler(Recorder recorder) : IJobHandler<BlockArgs>
{
    public async Task HandleAsync(JobContext<BlockArgs> job, CancellationToken cancellationToken)
    {
        recorder.Runs.Enqueue((job.Id, BlockArgs.Kind, job.Attempt));
        await job.ReportProgressAsync(40, "waiting at the gate", cancellationToken);
        recorder.MarkStarted(job.Args.Key);
        await recorder.Gate(job.Args.Key).WaitAsync(cancellationToken);
        job.SetResult(new { passed = true });
    }
}

/// <summary>Ignores nothing: waits on its token, which only the type's timeout fires.</summary>
public sealed record SlowArgs(int Seconds) : IJobArgs
{
    public static string Kind => "slow";
}

public sealed class SlowHandler(Recorder recorder) : IJobHandler<SlowArgs>
{
    public async Task HandleAsync(JobContext<SlowArgs> job, CancellationToken cancellationToken)
    {
        recorder.Runs.Enqueue((job.Id, SlowArgs.Kind, job.Attempt));
        await Task.Delay(TimeSpan.FromSeconds(job.Args.Seconds), cancellationToken);
    }
}

public sealed record NoopArgs(int N) : IJobArgs
{
    public static string Kind => "noop";
}

public sealed class NoopHandler(Recorder recorder) : IJobHandler<NoopArgs>
{
    public Task HandleAsync(JobContext<NoopArgs> job, CancellationToken cancellationToken)
    {
        recorder.Runs.Enqueue((job.Id, NoopArgs.Kind, job.Attempt));
        return Task.CompletedTask;
    }
}

/// <summary>A payload with a required URL and an optional count, for binding tests.</summary>
public sealed record StrictArgs(Uri Url, int Count = 1) : IJobArgs
{
    public static string Kind => "strict";
}

public sealed class StrictHandler : IJobHandler<StrictArgs>
{
    public Task HandleAsync(JobContext<StrictArgs> job, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Produces what no store can hold as text: a result with a NUL, an unpaired surrogate escape and a number past a
/// double, a progress message with a NUL, and (when <see cref="Fail"/>) an error message with a NUL.
/// </summary>
public sealed record UnstorableOutputArgs(bool Fail) : IJobArgs
{
    public static string Kind => "unstorable_output";
}

public sealed class UnstorableOutputHandler : IJobHandler<UnstorableOutputArgs>
{
    public async Task HandleAsync(JobContext<UnstorableOutputArgs> job, CancellationToken cancellationToken)
    {
        await job.ReportProgressAsync(50, "half\0way", cancellationToken);
        if (job.Args.Fail) throw new PermanentJobException("reply body: a\0b");
        using var number = System.Text.Json.JsonDocument.Parse("1e999");
        job.SetResult(new Dictionary<string, object>
        {
            ["nul"] = "a\0b",
            ["lone"] = "x\ud800y",
            ["big"] = number.RootElement,
            ["n\0ame"] = new object[] { 1, "ok" },
        });
    }
}
