using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// A long-running worker node as the nodes table knows it (every node heartbeats there), for monitoring.
/// A node that has missed three heartbeats is <see cref="Silent"/>: dead, paused or cut off from the database.
/// The maintenance leader deletes nodes silent for longer than its lease (at least five heartbeats).
/// </summary>
public sealed record JobNode
{
    /// <summary>The node's name (<see cref="JobsOptions.WorkerName"/>), as in <see cref="JobInfo.Worker"/>.</summary>
    public required string Name { get; init; }
    /// <summary>The queues the node serves; null when it serves every queue.</summary>
    public IReadOnlyList<string>? Queues { get; init; }
    /// <summary>
    /// The queues as the node wrote them to the nodes table: <c>*</c> for every queue, or a comma-separated list (empty
    /// from nodes of older versions). <see cref="Queues"/> is the parsed form; the dashboard shows this one.
    /// </summary>
    public string RegisteredQueues { get; init; } = "";
    /// <summary>How many jobs the node runs at once (the sum over its queues).</summary>
    public required int Concurrency { get; init; }
    /// <summary>How many jobs the node was running at its last heartbeat.</summary>
    public required int Running { get; init; }
    /// <summary>When the node registered.</summary>
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>When the node last heartbeat (the database's clock on PostgreSQL).</summary>
    public required DateTimeOffset HeartbeatAt { get; init; }
    /// <summary>True for the node that holds the unexpired maintenance leader's lease.</summary>
    public required bool IsLeader { get; init; }
    /// <summary>True when the node's last heartbeat is older than three heartbeat intervals.</summary>
    public required bool Silent { get; init; }

    /// <summary>
    /// Whether a node whose last heartbeat was at <paramref name="heartbeatAt"/> is silent at <paramref name="now"/>: it
    /// has missed three heartbeats, spaced <paramref name="heartbeatInterval"/> (<see cref="JobWorkerOptions.NodeHeartbeatInterval"/>).
    /// The one rule for the stats, the CLI and the dashboard.
    /// </summary>
    public static bool IsSilent(DateTimeOffset heartbeatAt, DateTimeOffset now, TimeSpan heartbeatInterval) =>
        now - heartbeatAt > heartbeatInterval * 3;

    /// <summary>Maps a row of the nodes table; <paramref name="now"/> is the database's time, <paramref name="heartbeatInterval"/> the nodes' heartbeat interval (see <see cref="IsSilent"/>).</summary>
    public static JobNode From(NodeRow row, DateTimeOffset now, TimeSpan heartbeatInterval)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new JobNode
        {
            Name = row.Name,
            // The worker registers "*" (or nothing, in older rows) when it serves every queue.
            Queues = string.IsNullOrEmpty(row.Queues) || row.Queues == "*"
                ? null
                : [.. row.Queues.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            RegisteredQueues = row.Queues,
            Concurrency = row.Concurrency,
            Running = row.Running,
            StartedAt = row.StartedAt,
            HeartbeatAt = row.HeartbeatAt,
            IsLeader = row.IsLeader,
            Silent = IsSilent(row.HeartbeatAt, now, heartbeatInterval),
        };
    }
}
