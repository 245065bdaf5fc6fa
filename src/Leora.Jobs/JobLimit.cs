namespace Leora.Jobs;

/// <summary>
/// A limit on the jobs of one type or one queue, enforced by the claim on every node that shares the database: at most
/// <see cref="Rate"/> jobs started per <see cref="RatePeriod"/>, at most <see cref="Concurrency"/> running at once, and (a
/// type's limit) at most <see cref="KeyConcurrency"/> running at once with one concurrency key. Declared in code
/// (<see cref="LeoraJobsBuilder.AddLimit(JobLimit)"/>, <see cref="JobTypeOptions.RateLimit"/>) or configuration
/// (<c>Jobs:Limits:Types:&lt;type&gt;</c>, <c>Jobs:Limits:Queues:&lt;queue&gt;</c>) and written to the database at start. See docs/limits.md.
/// </summary>
public sealed record JobLimit
{
    /// <summary>Whether the limit counts a job type's jobs or a queue's.</summary>
    public required JobLimitScope Scope { get; init; }

    /// <summary>The job type's or the queue's name.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The most jobs that may start in each <see cref="RatePeriod"/> (windows aligned to the period: a per-minute limit
    /// counts per clock minute), at least 1. Null: no rate limit.
    /// </summary>
    public int? Rate { get; init; }

    /// <summary>The window <see cref="Rate"/> counts in, from 1 second to 1 day. Null: 1 minute (ignored without a <see cref="Rate"/>).</summary>
    public TimeSpan? RatePeriod { get; init; }

    /// <summary>The most jobs that may run at once across all nodes, at least 1. Null: no concurrency limit.</summary>
    public int? Concurrency { get; init; }

    /// <summary>
    /// The most jobs of this type with one concurrency key that may run at once, at least 1 (a type's limit only). Null: 1,
    /// the default for every keyed job.
    /// </summary>
    public int? KeyConcurrency { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range; <paramref name="source"/> names the declaration.</summary>
    internal void Validate(string source)
    {
        var valid = Scope == JobLimitScope.Queue ? QueueName.IsValid(Name) : !string.IsNullOrWhiteSpace(Name) && Name.Length <= 200;
        if (!valid) throw new ArgumentException($"{source}: '{Name}' is not a valid {(Scope == JobLimitScope.Queue ? "queue" : "job type")} name.");
        if (Rate is < 1) throw new ArgumentException($"{source}: Rate must be at least 1 (was {Rate}).");
        if (RatePeriod is { } p && (p < TimeSpan.FromSeconds(1) || p > TimeSpan.FromDays(1)))
            throw new ArgumentException($"{source}: RatePeriod must be from 1 second to 1 day (was {p}).");
        if (Concurrency is < 1) throw new ArgumentException($"{source}: Concurrency must be at least 1 (was {Concurrency}).");
        if (KeyConcurrency is < 1) throw new ArgumentException($"{source}: KeyConcurrency must be at least 1 (was {KeyConcurrency}).");
        if (KeyConcurrency is not null && Scope == JobLimitScope.Queue)
            throw new ArgumentException($"{source}: KeyConcurrency applies to a job type's limit, not a queue's.");
    }

    /// <summary>The rate window as stored: <see cref="RatePeriod"/> or 1 minute with a rate, null without one.</summary>
    internal TimeSpan? EffectiveRatePeriod => Rate is null ? null : RatePeriod ?? TimeSpan.FromMinutes(1);

    /// <summary>False for a declaration that sets none of the limits: it removes the type's or queue's limit.</summary>
    internal bool LimitsAnything => Rate is not null || Concurrency is not null || KeyConcurrency is not null;

    internal static string ScopeName(JobLimitScope scope) => scope == JobLimitScope.Queue ? "queue" : "type";

    internal static JobLimitScope ParseScope(string scope) => scope == "queue" ? JobLimitScope.Queue : JobLimitScope.Type;
}
