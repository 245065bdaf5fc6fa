namespace Leora.Jobs.Storage;

/// <summary>A node's heartbeat: who it is, what it serves, how many jobs it runs now.</summary>
public sealed record NodeHeartbeatParams(string Name, string Queues, int Concurrency, int Running)
{
    /// <summary>The job types the node has handlers for, as a JSON array of names; null when not told (every type).</summary>
    public string? Kinds { get; init; }
}
