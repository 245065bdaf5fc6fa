namespace Leora.Jobs;

/// <summary>How much one batch may do (the serverless entry point).</summary>
public sealed record BatchOptions
{
    /// <summary>The most jobs to claim, at least 1. Defaults to 10.</summary>
    public int MaxJobs { get; init; } = 10;
    /// <summary>Stop claiming once this much time has passed; jobs already claimed finish. Defaults to null: no budget.</summary>
    public TimeSpan? MaxDuration { get; init; }
    /// <summary>Claim only from this queue. Defaults to null: every queue.</summary>
    public string? Queue { get; init; }
    /// <summary>Jobs running at once. Defaults to null: <see cref="JobsOptions.BatchConcurrency"/>.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Told of each job as it finishes, on the batch's own flow (for a progress bar). Defaults to null.</summary>
    public IProgress<JobRunReport>? Progress { get; init; }
}

/// <summary>What one batch did.</summary>
public sealed record BatchResult
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
    /// Jobs this batch claimed and handed back to pending without using an attempt, for another claim: those it had not
    /// started when its time budget ran out, the caller went away or the host stopped, and those still running when the
    /// caller went away or the host's shutdown grace ran out.
    /// </summary>
    public int HandedBack { get; init; }
    /// <summary>Jobs whose expired lease this batch rescued before claiming.</summary>
    public required int Rescued { get; init; }
    public required double DurationMs { get; init; }
    /// <summary>One line per job, in the order they finished.</summary>
    public required IReadOnlyList<JobRunReport> Jobs { get; init; }
}
