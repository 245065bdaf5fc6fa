namespace Leora.Jobs.Maintenance;

/// <summary>
/// Registered by <see cref="LeoraJobsBuilder.AddWorker"/>: tells <see cref="JobNodeState.HasWorker"/> that a worker runs in
/// this host without building the worker (which itself depends on the node's state).
/// </summary>
internal sealed class WorkerRegistration;
