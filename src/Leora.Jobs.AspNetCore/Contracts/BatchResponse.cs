namespace Leora.Jobs.AspNetCore;

/// <summary>What one call of <c>POST /api/jobs/process</c> did.</summary>
public sealed record BatchResponse
{
    /// <summary>Jobs claimed and run.</summary>
    public required int Processed { get; init; }
    public required int Succeeded { get; init; }
    /// <summary>Jobs that failed for good.</summary>
    public required int Failed { get; init; }
    /// <summary>Jobs whose attempt failed and that will run again.</summary>
    public required int Retried { get; init; }
    public required int Cancelled { get; init; }
    /// <summary>
    /// Jobs claimed and handed back to pending without using an attempt (not started when the time budget ran out or the
    /// service began to stop, or still running when its shutdown grace ran out); another call or worker runs them.
    /// </summary>
    public int HandedBack { get; init; }
    /// <summary>Jobs whose expired lease was rescued before claiming.</summary>
    public required int Rescued { get; init; }
    public required double DurationMs { get; init; }
    /// <summary>One line per job, in the order they finished.</summary>
    public required IReadOnlyList<BatchJobLine> Jobs { get; init; }

    /// <summary>Maps the core batch result.</summary>
    public static BatchResponse From(BatchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new BatchResponse
        {
            Processed = result.Processed,
            Succeeded = result.Succeeded,
            Failed = result.Failed,
            Retried = result.Retried,
            Cancelled = result.Cancelled,
            HandedBack = result.HandedBack,
            Rescued = result.Rescued,
            DurationMs = Math.Round(result.DurationMs, 1),
            Jobs = [.. result.Jobs.Select(BatchJobLine.From)],
        };
    }
}
