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
}
