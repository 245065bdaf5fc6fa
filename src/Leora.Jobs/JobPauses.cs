using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// The default <see cref="IJobPauses"/>: checks the name, then writes or removes the pause row. Nothing is cached: the claim
/// statement reads the pauses table itself, so every node and batch call honours a change from its next claim.
/// </summary>
internal sealed class JobPauses(IJobStore store, JobTypeRegistry registry, JobSignal signal) : IJobPauses
{
    public Task<JobPause> PauseAsync(JobPauseScope scope, string name, CancellationToken cancellationToken = default)
    {
        Check(scope, name);
        // A type must be one this process knows, as at enqueue (a typo would otherwise pause nothing, silently).
        if (scope == JobPauseScope.Type) name = registry.Get(name).Kind;
        return store.PauseInsertAsync(scope, name, cancellationToken);
    }

    public async Task<bool> ResumeAsync(JobPauseScope scope, string name, CancellationToken cancellationToken = default)
    {
        // Any paused type may be resumed, registered here or not: another node (or an earlier release) may have paused it.
        Check(scope, name);
        if (!await store.PauseDeleteAsync(scope, name, cancellationToken)) return false;
        signal.Notify();
        return true;
    }

    public Task<IReadOnlyList<JobPause>> ListAsync(CancellationToken cancellationToken = default) => store.PauseListAsync(cancellationToken);

    private static void Check(JobPauseScope scope, string name)
    {
        if (!Enum.IsDefined(scope)) throw new JobValidationException("scope must be queue or type.", "scope");
        if (scope == JobPauseScope.Queue && !QueueName.IsValid(name))
            throw new JobValidationException($"Queue name '{name}' is not valid: 1–64 letters, digits, '_', '-', '.', ':'.", "queue");
        if (scope == JobPauseScope.Type && (string.IsNullOrWhiteSpace(name) || name.Length > 200 || StoredText.Problem(name) is not null))
            throw new JobValidationException("type is missing or not valid.", "type");
    }
}
