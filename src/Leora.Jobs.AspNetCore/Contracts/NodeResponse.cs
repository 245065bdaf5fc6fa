namespace Leora.Jobs.AspNetCore;

/// <summary>A long-running worker node in <c>GET /api/jobs/stats</c>.</summary>
/// <param name="Name">The node's name (<c>Jobs:WorkerName</c>, by default host:pid), as in a job's <c>worker</c>.</param>
/// <param name="Queues">The queues it serves; null when it serves every queue.</param>
/// <param name="Concurrency">How many jobs it runs at once.</param>
/// <param name="Running">How many jobs it was running at its last heartbeat.</param>
/// <param name="StartedAt">When it registered.</param>
/// <param name="HeartbeatAt">When it last heartbeat.</param>
/// <param name="HeartbeatAgeSeconds">Seconds since its last heartbeat, by the database's clock.</param>
/// <param name="Leader">True for the node holding the maintenance leader's lease.</param>
/// <param name="Silent">True when it has missed three heartbeats: dead, paused or cut off from the database.</param>
public sealed record NodeResponse(
    string Name,
    IReadOnlyList<string>? Queues,
    int Concurrency,
    int Running,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    double HeartbeatAgeSeconds,
    bool Leader,
    bool Silent)
{
    /// <summary>Maps a core node; <paramref name="now"/> is the time the stats were read.</summary>
    public static NodeResponse From(JobNode node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new NodeResponse(node.Name, node.Queues, node.Concurrency, node.Running, node.StartedAt, node.HeartbeatAt,
            Math.Round(Math.Max(0, (now - node.HeartbeatAt).TotalSeconds), 3), node.IsLeader, node.Silent);
    }
}
