namespace Leora.Jobs;

/// <summary>A stored limit with its current usage, for monitoring (<see cref="JobStats.Limits"/>).</summary>
public sealed record JobLimitUsage
{
    /// <summary>The limit as stored (written by the last node that started with limits declared).</summary>
    public required JobLimit Limit { get; init; }
    /// <summary>Jobs started in the current rate window; 0 without a rate limit or when no job started in this window yet.</summary>
    public required int StartedInWindow { get; init; }
    /// <summary>When the current rate window began; null without a rate limit.</summary>
    public DateTimeOffset? WindowStart { get; init; }
    /// <summary>Jobs of the type or queue running now (processing), across all nodes.</summary>
    public required int Running { get; init; }
    /// <summary>Distinct concurrency keys with a job of the type running now (type limits; 0 for a queue's).</summary>
    public required int KeysRunning { get; init; }
    /// <summary>When the limit was last written, and by which node.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>The node that last wrote the limit (<see cref="JobsOptions.WorkerName"/>).</summary>
    public required string UpdatedBy { get; init; }

    /// <summary>A stored limit row's usage at <paramref name="now"/>, its rate window aligned as the claim aligns it (LimitedClaimPlan).</summary>
    internal static JobLimitUsage Create(JobLimitScope scope, string name, int? rate, long? periodMs, int? concurrency, int? keyConcurrency,
        DateTimeOffset? windowStart, int windowCount, int running, int keysRunning, DateTimeOffset updatedAt, string updatedBy, DateTimeOffset now)
    {
        // The current window, aligned to the period as the claim aligns it; a stored window that has passed counts nothing.
        DateTimeOffset? current = null;
        if (periodMs is { } p)
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            current = DateTimeOffset.FromUnixTimeMilliseconds(nowMs - (((nowMs % p) + p) % p));
        }
        return new JobLimitUsage
        {
            Limit = new JobLimit
            {
                Scope = scope, Name = name, Rate = rate, RatePeriod = periodMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                Concurrency = concurrency, KeyConcurrency = keyConcurrency,
            },
            StartedInWindow = current is not null && windowStart == current ? windowCount : 0,
            WindowStart = current,
            Running = running,
            KeysRunning = keysRunning,
            UpdatedAt = updatedAt,
            UpdatedBy = updatedBy,
        };
    }
}
