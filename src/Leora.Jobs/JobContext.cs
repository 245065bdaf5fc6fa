using System.Text.Json;

namespace Leora.Jobs;

/// <summary>One running attempt of a job, as its handler sees it.</summary>
/// <typeparam name="TArgs">The job type's payload.</typeparam>
public sealed class JobContext<TArgs> where TArgs : IJobArgs
{
    private readonly JobAttempt _attempt;

    internal JobContext(TArgs args, JobAttempt attempt)
    {
        Args = args;
        _attempt = attempt;
    }

    /// <summary>The job's payload.</summary>
    public TArgs Args { get; }
    /// <summary>The job's id.</summary>
    public long Id => _attempt.Row.Id;
    /// <summary>This attempt's number, from 1.</summary>
    public int Attempt => _attempt.Row.Attempts;
    /// <summary>Attempts allowed in all.</summary>
    public int MaxAttempts => _attempt.Row.MaxAttempts;
    /// <summary>The queue the job was claimed from.</summary>
    public string Queue => _attempt.Row.Queue;
    /// <summary>The idempotency key it was enqueued with, if any.</summary>
    public string? IdempotencyKey => _attempt.Row.IdempotencyKey;
    /// <summary>The result stored by an earlier attempt's checkpoint, if any (see <see cref="SetResult{T}"/>).</summary>
    public JsonElement? PreviousResult => _attempt.Row.Result is { } r ? JsonDocument.Parse(r).RootElement.Clone() : null;

    /// <summary>
    /// Reports progress (0–100, and an optional message) while running. Fenced by the lease: returns false,
    /// and cancels the handler's token, when this worker no longer holds the job.
    /// </summary>
    public Task<bool> ReportProgressAsync(int percent, string? message = null, CancellationToken cancellationToken = default) =>
        _attempt.ReportProgressAsync(Math.Clamp(percent, 0, 100), message, cancellationToken);

    /// <summary>
    /// Enqueues a job when this attempt completes, in the same transaction as the completion (docs/workflows.md): if the
    /// attempt fails, times out or loses its lease, the child never appears, so a retried attempt does not enqueue it twice.
    /// Its options may name parents (<see cref="EnqueueOptions.DependsOn"/>) or a running batch to join
    /// (<see cref="EnqueueOptions.BatchId"/>). The type, payload and options are checked now (<see cref="JobValidationException"/>).
    /// </summary>
    public void EnqueueChild<TChild>(TChild args, EnqueueOptions? options = null) where TChild : IJobArgs =>
        _attempt.AddChild(WorkflowJob.For(args, options: options));

    /// <summary>
    /// As <see cref="EnqueueChild{TChild}(TChild, EnqueueOptions?)"/>, for a job of a graph: children may depend on each other by
    /// <see cref="WorkflowJob.Ref"/>.
    /// </summary>
    public void EnqueueChild(WorkflowJob job) => _attempt.AddChild(job);

    /// <summary>Sets the JSON result stored with the job when it completes.</summary>
    public void SetResult<T>(T result) => _attempt.ResultJson = JsonSerializer.Serialize(result, JobJson.Options);
}
