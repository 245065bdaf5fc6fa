namespace Leora.Jobs.Dashboard;

/// <summary>A worker node as the dashboard shows it.</summary>
public sealed record JobNodeInfo
{
    /// <summary>The node's worker name, as in <see cref="JobInfo.Worker"/>.</summary>
    public required string Name { get; init; }
    /// <summary>True for the process serving the dashboard.</summary>
    public bool ThisProcess { get; init; }
    /// <summary>True when a worker runs in the node (false for a process that only serves the dashboard or API).</summary>
    public bool Working { get; init; }
    /// <summary>How many jobs the node runs at once, when known.</summary>
    public int? Concurrency { get; init; }
    /// <summary>When the node was last heard from, when known (a registering store fills it in).</summary>
    public DateTimeOffset? LastSeen { get; init; }
    /// <summary>The jobs the node holds leases on now.</summary>
    public required IReadOnlyList<JobNodeRunningJob> Running { get; init; }
}
