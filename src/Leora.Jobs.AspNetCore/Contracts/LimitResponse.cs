namespace Leora.Jobs.AspNetCore;

/// <summary>A rate or concurrency limit with its usage now (<c>limits</c> of <c>GET /api/jobs/stats</c>, CLI <c>stats</c>).</summary>
public sealed record LimitResponse
{
    /// <summary><c>type</c> or <c>queue</c>.</summary>
    public required string Scope { get; init; }
    /// <summary>The job type's or the queue's name.</summary>
    public required string Name { get; init; }
    /// <summary>The most jobs that may start per <see cref="RatePeriodSeconds"/>; null: no rate limit.</summary>
    public int? Rate { get; init; }
    /// <summary>The rate window in seconds; null: no rate limit.</summary>
    public double? RatePeriodSeconds { get; init; }
    /// <summary>Jobs started in the current rate window.</summary>
    public required int StartedInWindow { get; init; }
    /// <summary>When the current rate window began; null: no rate limit.</summary>
    public DateTimeOffset? WindowStart { get; init; }
    /// <summary>The most jobs that may run at once; null: no concurrency limit.</summary>
    public int? Concurrency { get; init; }
    /// <summary>Jobs running now, across all nodes.</summary>
    public required int Running { get; init; }
    /// <summary>The most jobs with one concurrency key that may run at once (a type's limit; null: 1).</summary>
    public int? KeyConcurrency { get; init; }
    /// <summary>Distinct concurrency keys with a job running now.</summary>
    public required int KeysRunning { get; init; }
    /// <summary>When the limit was last written.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>The node that last wrote it.</summary>
    public required string UpdatedBy { get; init; }

    /// <summary>Maps the core usage.</summary>
    public static LimitResponse From(JobLimitUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new LimitResponse
        {
            Scope = JobLimit.ScopeName(usage.Limit.Scope),
            Name = usage.Limit.Name,
            Rate = usage.Limit.Rate,
            RatePeriodSeconds = usage.Limit.RatePeriod?.TotalSeconds,
            StartedInWindow = usage.StartedInWindow,
            WindowStart = usage.WindowStart,
            Concurrency = usage.Limit.Concurrency,
            Running = usage.Running,
            KeyConcurrency = usage.Limit.KeyConcurrency,
            KeysRunning = usage.KeysRunning,
            UpdatedAt = usage.UpdatedAt,
            UpdatedBy = usage.UpdatedBy,
        };
    }
}
