using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// Writes completions in batches by group commit (<see cref="GroupCommitQueue{TItem, TResult}"/>): the first completion
/// is written at once; those that arrive while it is being written wait and go together in the next statement
/// (<see cref="IJobStore.JobCompleteManyAsync"/>). No timer, so an idle worker pays no added latency, and a busy one
/// shares one commit (one fsync) among many jobs. Each job is still fenced by its own lock token (DESIGN.md invariant 2):
/// the store reports per job whether it was written.
/// </summary>
internal sealed class JobCompleter
{
    // Large enough to amortise a commit, small enough to keep one statement's locks and parameters modest.
    private const int MaxBatch = 500;
    private readonly IJobStore _store;
    private readonly GroupCommitQueue<JobCompleteParams, bool> _queue;

    public JobCompleter(IJobStore store)
    {
        _store = store;
        _queue = new GroupCommitQueue<JobCompleteParams, bool>(MaxBatch, leadWritesInline: false, WriteAsync);
    }

    /// <summary>Completes the job if its token still holds it. False: the lease was lost and nothing was written.</summary>
    // Outcome writes are not cancelled by shutdown: a finished handler's result must not be thrown away.
    public Task<bool> CompleteAsync(JobCompleteParams complete) => _queue.WriteAsync(complete, CancellationToken.None);

    private async Task WriteAsync(IReadOnlyList<GroupCommitQueue<JobCompleteParams, bool>.Entry> batch)
    {
        if (batch.Count == 1)
        {
            batch[0].TrySetResult(await _store.JobCompleteAsync(batch[0].Item, CancellationToken.None));
            return;
        }
        var written = await _store.JobCompleteManyAsync([.. batch.Select(b => b.Item)], CancellationToken.None);
        foreach (var entry in batch) entry.TrySetResult(written.Contains(entry.Item.Id));
    }
}
