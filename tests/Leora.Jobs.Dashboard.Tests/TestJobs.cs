namespace Leora.Jobs.Dashboard.Tests;

/// <summary>A job that completes and echoes its text as the result.</summary>
public sealed record EchoArgs(string Text) : IJobArgs
{
    public static string Kind => "echo";
}

public sealed class EchoHandler : IJobHandler<EchoArgs>
{
    public async Task HandleAsync(JobContext<EchoArgs> job, CancellationToken cancellationToken)
    {
        await job.ReportProgressAsync(100, "echoed", cancellationToken);
        job.SetResult(new { echoed = job.Args.Text });
    }
}

/// <summary>A job that fails for good while <see cref="FlakySwitch.Failing"/> is set, with its text in the error, and completes otherwise.</summary>
public sealed record FlakyArgs(string Text) : IJobArgs
{
    public static string Kind => "flaky";
}

/// <summary>Whether flaky jobs fail now (one per test host).</summary>
public sealed class FlakySwitch
{
    public volatile bool Failing = true;
}

public sealed class FlakyHandler(FlakySwitch flaky) : IJobHandler<FlakyArgs>
{
    public Task HandleAsync(JobContext<FlakyArgs> job, CancellationToken cancellationToken)
    {
        if (flaky.Failing) Explode(job.Args.Text);
        job.SetResult(new { recovered = true });
        return Task.CompletedTask;
    }

    private static void Explode(string text) => throw new PermanentJobException($"boom: {text}");
}

/// <summary>A report job with a richer payload, for the enqueue form's template.</summary>
public sealed record ReportArgs(Guid AccountId, string Format, int Year, bool IncludeArchived) : IJobArgs
{
    public static string Kind => "report";
}

public sealed class ReportHandler : IJobHandler<ReportArgs>
{
    public Task HandleAsync(JobContext<ReportArgs> job, CancellationToken cancellationToken)
    {
        job.SetResult(new { rows = job.Args.Year });
        return Task.CompletedTask;
    }
}

/// <summary>A job that reports progress, then waits until the test opens <see cref="Gate"/> or the job is cancelled.</summary>
public sealed record GateArgs(string Step) : IJobArgs
{
    public static string Kind => "gated_import";
}

/// <summary>Lets a test hold gated jobs running, and know when one has started.</summary>
public sealed class Gate
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed class GateHandler(Gate gate) : IJobHandler<GateArgs>
{
    public async Task HandleAsync(JobContext<GateArgs> job, CancellationToken cancellationToken)
    {
        await job.ReportProgressAsync(40, $"importing {job.Args.Step}", cancellationToken);
        gate.Started.TrySetResult();
        await gate.Open.Task.WaitAsync(cancellationToken);
        job.SetResult(new { imported = job.Args.Step });
    }
}

/// <summary>A job whose first attempt asks to be retried an hour later (a Retries-view job until run now), and which completes after.</summary>
public sealed record LaterArgs(string Text) : IJobArgs
{
    public static string Kind => "later";
}

public sealed class LaterHandler : IJobHandler<LaterArgs>
{
    public Task HandleAsync(JobContext<LaterArgs> job, CancellationToken cancellationToken) =>
        job.Attempt == 1 ? throw new RetryJobException($"not yet: {job.Args.Text}", TimeSpan.FromHours(1)) : Task.CompletedTask;
}
