namespace Leora.Jobs.Storage;

/// <summary>
/// One worker node as the nodes table knows it. <see cref="IsLeader"/>: it holds the unexpired maintenance lease.
/// A node whose <see cref="HeartbeatAt"/> is older than a few heartbeat intervals is dead or cut off.
/// </summary>
public sealed record NodeRow(string Name, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, string Queues, int Concurrency, int Running, bool IsLeader)
{
    /// <summary>The job types the node has handlers for, as a JSON array of names; null from a node that did not say (an earlier release): every type.</summary>
    public string? Kinds { get; init; }
}
