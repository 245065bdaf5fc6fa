namespace Leora.Jobs.Storage;

/// <summary>
/// One worker node as the nodes table knows it. <see cref="IsLeader"/>: it holds the unexpired maintenance lease.
/// A node whose <see cref="HeartbeatAt"/> is older than a few heartbeat intervals is dead or cut off.
/// </summary>
public sealed record NodeRow(string Name, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, string Queues, int Concurrency, int Running, bool IsLeader);
