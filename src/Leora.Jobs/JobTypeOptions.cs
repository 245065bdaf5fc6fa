namespace Leora.Jobs;

/// <summary>Settings of one job type. Unset values fall back to <see cref="JobsOptions"/>.</summary>
public sealed class JobTypeOptions
{
    /// <summary>Attempts a job of this type gets unless its enqueue says otherwise. Defaults to null: <see cref="JobsOptions.DefaultMaxAttempts"/>.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>How long one attempt may run before its token fires and the attempt fails. Defaults to null: no limit but the lease.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Priority of jobs of this type unless their enqueue says otherwise. Defaults to null: 0.</summary>
    public int? Priority { get; set; }

    /// <summary>Queue of jobs of this type unless their enqueue says otherwise. Defaults to null: <see cref="JobsOptions.DefaultQueue"/>.</summary>
    public string? Queue { get; set; }

    /// <summary>Delay before the retry that follows failed attempt number N. Defaults to null: <see cref="JobsOptions.Backoff"/>.</summary>
    public Func<int, TimeSpan>? Backoff { get; set; }

    /// <summary>
    /// Lets at most <paramref name="count"/> jobs of this type start per <paramref name="period"/> across every node that shares
    /// the database (windows aligned to the period: a per-minute limit counts per clock minute). See docs/limits.md.
    /// </summary>
    public JobTypeOptions RateLimit(int count, TimeSpan period)
    {
        Rate = count;
        RatePeriod = period;
        return this;
    }

    /// <summary>Lets at most <paramref name="max"/> jobs of this type run at once across every node that shares the database.</summary>
    public JobTypeOptions ConcurrencyLimit(int max)
    {
        Concurrency = max;
        return this;
    }

    /// <summary>Lets at most <paramref name="max"/> jobs of this type with one concurrency key run at once (1 unless set).</summary>
    public JobTypeOptions KeyConcurrencyLimit(int max)
    {
        KeyConcurrency = max;
        return this;
    }

    internal int? Rate { get; private set; }
    internal TimeSpan? RatePeriod { get; private set; }
    internal int? Concurrency { get; private set; }
    internal int? KeyConcurrency { get; private set; }
}
