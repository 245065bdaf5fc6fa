using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>A batch and its progress (<see cref="IJobWorkflows.GetBatchAsync"/>): counted in the transaction of each member's outcome.</summary>
public sealed record JobBatch
{
    public required long Id { get; init; }
    public string? Description { get; init; }
    /// <summary>Members in all (callbacks not counted).</summary>
    public required int Total { get; init; }
    /// <summary>Members not finished yet (pending, waiting or running).</summary>
    public required int Pending { get; init; }
    public required int Completed { get; init; }
    public required int Failed { get; init; }
    public required int Cancelled { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the last member finished (and the callbacks were released), or null.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>When the batch was cancelled, or null.</summary>
    public DateTimeOffset? CancelledAt { get; init; }
    /// <summary>The id of the on-complete callback, or null.</summary>
    public long? OnCompleteJobId { get; init; }
    /// <summary>The id of the on-success callback, or null.</summary>
    public long? OnSuccessJobId { get; init; }
    /// <summary>The id of the on-failure callback, or null.</summary>
    public long? OnFailureJobId { get; init; }

    /// <summary>True once every member has finished.</summary>
    public bool IsFinished => Pending == 0;

    internal static JobBatch From(BatchRow row) => new()
    {
        Id = row.Id,
        Description = row.Description,
        Total = row.Total,
        Pending = row.Pending,
        Completed = row.Completed,
        Failed = row.Failed,
        Cancelled = row.Cancelled,
        CreatedAt = row.CreatedAt,
        FinishedAt = row.FinishedAt,
        CancelledAt = row.CancelledAt,
        OnCompleteJobId = Callback(row, JobBatchRole.OnComplete),
        OnSuccessJobId = Callback(row, JobBatchRole.OnSuccess),
        OnFailureJobId = Callback(row, JobBatchRole.OnFailure),
    };

    private static long? Callback(BatchRow row, JobBatchRole role) =>
        row.Callbacks.Where(c => c.Role == role).Select(c => (long?)c.JobId).FirstOrDefault();
}
