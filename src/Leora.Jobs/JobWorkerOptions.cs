using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// Settings of the long-running worker (the <c>serve</c> and <c>work</c> modes; configuration section <c>Jobs:Worker</c>
/// in the <c>leora-jobs</c> service). Validated at start by <see cref="JobWorkerOptionsValidator"/>.
/// </summary>
public sealed class JobWorkerOptions : IValidatableObject
{
    /// <summary>Whether the worker runs in this host. Defaults to true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Jobs run at once when <see cref="Queues"/> is empty (one producer for every queue). Defaults to 4.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>Named queues, each with its own producer and concurrency. Defaults to empty: every queue, <see cref="Concurrency"/> at once.</summary>
    public Dictionary<string, int> Queues { get; } = new(StringComparer.Ordinal);

    /// <summary>How long an idle producer waits before it looks again when nothing wakes it. Defaults to 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Under a backlog, how long a producer with fewer than half its slots free waits for more to free up before it
    /// claims, so that claims stay batched. Zero turns it off. Defaults to 5 milliseconds.
    /// </summary>
    public TimeSpan FetchCooldown { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How often expired leases are rescued. Defaults to 15 seconds.</summary>
    public TimeSpan RescueInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>At shutdown, how long running jobs may finish before their tokens fire and they are handed back. Defaults to 30 seconds.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often this node writes its heartbeat to the nodes table and renews or seeks the leader's lease. Defaults to 10 seconds.</summary>
    public TimeSpan NodeHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the maintenance leader's lease lasts; the leader renews it every <see cref="NodeHeartbeatInterval"/>, and
    /// when the leader dies another node takes over within this time. Defaults to 30 seconds.
    /// </summary>
    public TimeSpan LeaderLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long finished jobs (completed, failed, cancelled) are kept before the maintenance leader prunes them, in
    /// bounded batches. Defaults to null: the worker prunes nothing (a host may prune on its own schedule instead).
    /// </summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>The most finished jobs one pruning statement deletes; the leader runs up to 10 per heartbeat. Defaults to 1,000.</summary>
    public int PruneBatchSize { get; set; } = 1000;

    /// <summary>
    /// How often the maintenance leader prunes finished jobs when <see cref="Retention"/> is set; the first prune comes one
    /// interval after start, a minute at most. Defaults to null: at every <see cref="NodeHeartbeatInterval"/>.
    /// </summary>
    public TimeSpan? PruneInterval { get; set; }

    /// <summary>How many jobs the worker runs at once in all: <see cref="Concurrency"/>, or the sum over <see cref="Queues"/>.</summary>
    internal int TotalConcurrency => Queues.Count == 0 ? Concurrency : Queues.Values.Sum();

    /// <summary>Throws <see cref="OptionsValidationException"/> when a setting is out of range; for callers that hold options not taken from the container.</summary>
    internal void Validate() => new JobWorkerOptionsValidator().ThrowIfInvalid(this);

    // The checks DataAnnotations cannot express here: queue names, durations and rules that relate two settings.
    // Ranges are checked here, not with [Range]: the source-generated copy of RangeAttribute drops ErrorMessage
    // (dotnet/runtime#123137), and the message must name the setting.
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Concurrency is < 1 or > 1000) yield return new("Jobs:Worker:Concurrency must be a whole number from 1 to 1000.");
        if (PruneBatchSize < 1) yield return new("Jobs:Worker:PruneBatchSize must be at least 1.");
        foreach (var (queue, n) in Queues)
        {
            if (!QueueName.IsValid(queue)) yield return new($"Jobs:Worker:Queues: '{queue}' is not a valid queue name.");
            else if (n is < 1 or > 1000) yield return new($"Jobs:Worker:Queues:{queue} must be a whole number from 1 to 1000.");
        }
        if (PollInterval <= TimeSpan.Zero) yield return new("Jobs:Worker:PollInterval must be positive.");
        if (FetchCooldown < TimeSpan.Zero || FetchCooldown >= PollInterval)
            yield return new("Jobs:Worker:FetchCooldown must be zero or more and shorter than PollInterval.");
        if (RescueInterval <= TimeSpan.Zero) yield return new("Jobs:Worker:RescueInterval must be positive.");
        if (NodeHeartbeatInterval <= TimeSpan.Zero) yield return new("Jobs:Worker:NodeHeartbeatInterval must be positive.");
        if (LeaderLease <= NodeHeartbeatInterval)
            yield return new("Jobs:Worker:LeaderLease must be longer than NodeHeartbeatInterval.");
        if (Retention is { } r && r <= TimeSpan.Zero)
            yield return new("Jobs:Worker:Retention must be positive (or null to keep finished jobs).");
        if (ShutdownGrace < TimeSpan.Zero) yield return new("Jobs:Worker:ShutdownGrace must not be negative.");
    }
}
