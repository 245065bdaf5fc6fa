using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// Settings shared by every part of Leora Jobs in one service provider (configuration section <c>Jobs</c> in the
/// <c>leora-jobs</c> service). Validated at start by <see cref="JobsOptionsValidator"/>.
/// </summary>
public sealed class JobsOptions : IValidatableObject
{
    /// <summary>How long a claimed job's lease lasts before another worker may rescue it. Defaults to 5 minutes.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a running handler's lease is extended. Defaults to null: a third of <see cref="Lease"/>.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Attempts a job gets unless its type or its enqueue says otherwise. Defaults to 3.</summary>
    public int DefaultMaxAttempts { get; set; } = 3;

    /// <summary>The queue used when neither the job type nor the enqueue names one. Defaults to <c>default</c>.</summary>
    public string DefaultQueue { get; set; } = "default";

    /// <summary>How many jobs of one batch (<see cref="IJobProcessor.ProcessBatchAsync"/>) run at once. Defaults to 4.</summary>
    public int BatchConcurrency { get; set; } = 4;

    /// <summary>The most expired leases rescued by one maintenance pass (each batch call and worker poll runs one). Defaults to 100.</summary>
    public int RescueBatchSize { get; set; } = 100;

    /// <summary>This process's name in the <c>worker</c> column. Defaults to null: host name and process id.</summary>
    public string? WorkerName { get; set; }

    /// <summary>
    /// The delay before retry number <c>attempt</c> (the attempt that just failed, from 1), unless the job type
    /// overrides it. Defaults to null: exponential, 10 s × 2^(attempt−1), capped at 1 hour, ±20% jitter.
    /// </summary>
    public Func<int, TimeSpan>? Backoff { get; set; }

    /// <summary>Whether the store's migrations are applied when the host starts. Defaults to true.</summary>
    public bool MigrateOnStart { get; set; } = true;

    internal TimeSpan EffectiveHeartbeat => HeartbeatInterval ?? Lease / 3;

    internal string EffectiveWorkerName => WorkerName ?? $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Throws <see cref="OptionsValidationException"/> when a setting is out of range; for callers that hold options not taken from the container.</summary>
    internal void Validate() => new JobsOptionsValidator().ThrowIfInvalid(this);

    // The checks DataAnnotations cannot express here: durations and rules that relate two settings.
    // Ranges are checked here, not with [Range]: the source-generated copy of RangeAttribute drops ErrorMessage
    // (dotnet/runtime#123137), and the message must name the setting.
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (DefaultMaxAttempts is < 1 or > 1000)
            yield return new("Jobs:DefaultMaxAttempts must be a whole number from 1 to 1000.");
        if (BatchConcurrency is < 1 or > 1000) yield return new("Jobs:BatchConcurrency must be a whole number from 1 to 1000.");
        if (RescueBatchSize < 1) yield return new("Jobs:RescueBatchSize must be at least 1.");
        if (Lease < TimeSpan.FromSeconds(1)) yield return new("Jobs:Lease must be at least 1 second.");
        if (HeartbeatInterval is { } hb && (hb <= TimeSpan.Zero || hb >= Lease))
            yield return new("Jobs:HeartbeatInterval must be positive and shorter than Jobs:Lease.");
        if (!QueueName.IsValid(DefaultQueue)) yield return new($"Jobs:DefaultQueue '{DefaultQueue}' is not a valid queue name.");
    }
}
