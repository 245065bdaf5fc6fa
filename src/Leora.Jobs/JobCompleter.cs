using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// Writes completions in batches by group commit: the first completion is written at once; those that arrive while it
/// is being written wait and go together in the next statement (<see cref="IJobStore.JobCompleteManyAsync"/>). No timer,
/// so an idle worker pays no added latency, and a busy one shares one commit (one fsync) among many jobs. Each job is
/// still fenced by its own lock token (DESIGN.md invariant 2): the store reports per job whether it was written.
/// </summary>
internal sealed class JobCompleter(IJobStore store)
{
    // Large enough to amortise a commit, small enough to keep one statement's locks and parameters modest.
    private const int MaxBatch = 500;
    private readonly Lock _lock = new();
    private List<(JobCompleteParams Params, TaskCompletionSource<bool> Done)> _queued = [];
    private bool _writing;

    /// <summary>Completes the job if its token still holds it. False: the lease was lost and nothing was written.</summary>
    public Task<bool> CompleteAsync(JobCompleteParams complete)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_lock)
        {
            _queued.Add((complete, done));
            start = !_writing;
            _writing = true;
        }
        if (start) _ = Task.Run(WriteLoopAsync, CancellationToken.None);
        return done.Task;
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            List<(JobCompleteParams Params, TaskCompletionSource<bool> Done)> batch;
            lock (_lock)
            {
                if (_queued.Count == 0)
                {
                    _writing = false;
                    return;
                }
                if (_queued.Count <= MaxBatch)
                {
                    batch = _queued;
                    _queued = [];
                }
                else
                {
                    batch = _queued.GetRange(0, MaxBatch);
                    _queued.RemoveRange(0, MaxBatch);
                }
            }
            try
            {
                // Outcome writes are not cancelled by shutdown: a finished handler's result must not be thrown away.
                if (batch.Count == 1)
                {
                    batch[0].Done.TrySetResult(await store.JobCompleteAsync(batch[0].Params, CancellationToken.None));
                }
                else
                {
                    var written = await store.JobCompleteManyAsync([.. batch.Select(b => b.Params)], CancellationToken.None);
                    foreach (var (p, done) in batch) done.TrySetResult(written.Contains(p.Id));
                }
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in batch) done.TrySetException(ex);
            }
        }
    }
}
