using System.Collections.Concurrent;

namespace Leora.Jobs;

/// <summary>
/// Attempts running in this process, so that a cancel issued here reaches its handler at once instead of at
/// the next heartbeat (other processes learn of it from their heartbeat).
/// </summary>
internal sealed class RunningJobs
{
    private readonly ConcurrentDictionary<long, JobAttempt> _byId = new();

    public int Count => _byId.Count;

    public IReadOnlyList<(long Id, string Type)> Snapshot() => [.. _byId.Values.Select(a => (a.Row.Id, a.Row.Kind))];

    public IEnumerable<JobAttempt> Attempts => _byId.Values;

    /// <summary>Whether this very attempt (not a later one of the same job) is still running here.</summary>
    public bool Holds(IHeldJob job) => _byId.TryGetValue(job.Row.Id, out var attempt) && ReferenceEquals(attempt, job);

    public void Add(JobAttempt attempt) => _byId[attempt.Row.Id] = attempt;

    public void Remove(JobAttempt attempt) => _byId.TryRemove(new KeyValuePair<long, JobAttempt>(attempt.Row.Id, attempt));

    public void RequestCancel(long id)
    {
        if (_byId.TryGetValue(id, out var attempt)) attempt.MarkCancelRequested();
    }
}
