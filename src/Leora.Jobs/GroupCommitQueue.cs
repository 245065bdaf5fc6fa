namespace Leora.Jobs;

/// <summary>
/// Group commit: the first write is made at once (on the caller's own flow, or on the thread pool); the writes that
/// arrive while it is in progress wait and go together in the next group, so they share one commit (one fsync)
/// instead of queueing for one each. No timer, so an idle process pays no added latency. Each caller is answered
/// with its own result, only after the group's write returned; an error reaches every caller of the group it sank.
/// Used by <see cref="JobCompleter"/> (completions) and by the SQLite store (single enqueues).
/// </summary>
/// <typeparam name="TItem">What one caller asks to write.</typeparam>
/// <typeparam name="TResult">What one caller is answered.</typeparam>
internal sealed class GroupCommitQueue<TItem, TResult>
{
    private readonly int _maxGroup;
    private readonly bool _leadWritesInline;
    private readonly Func<IReadOnlyList<Entry>, Task> _writeGroup;
    private readonly Lock _lock = new();
    private List<Entry> _queued = [];
    private bool _writing;

    /// <param name="maxGroup">The most writes in one group.</param>
    /// <param name="leadWritesInline">
    /// True: a caller that finds no write in progress writes its group itself, on its own flow (no thread hop for a lone
    /// client: the SQLite enqueue). False: every group is written on the thread pool, so a caller never blocks on a
    /// write (the completer: Microsoft.Data.Sqlite's async calls run synchronously, and a worker's dispatch loop that
    /// wrote inline would start no job until the write was done; measured: the SQLite drain fell to a third).
    /// </param>
    /// <param name="writeGroup">
    /// Writes one group and answers each entry (<see cref="TaskCompletionSource{TResult}.TrySetResult"/> or
    /// <see cref="TaskCompletionSource{TResult}.TrySetException(Exception)"/>, for an entry that failed alone). When it
    /// throws, every entry not answered yet gets that exception. It is never cancelled by one caller: a group holds other
    /// callers' writes.
    /// </param>
    public GroupCommitQueue(int maxGroup, bool leadWritesInline, Func<IReadOnlyList<Entry>, Task> writeGroup)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroup, 1);
        ArgumentNullException.ThrowIfNull(writeGroup);
        _maxGroup = maxGroup;
        _leadWritesInline = leadWritesInline;
        _writeGroup = writeGroup;
    }

    /// <summary>Whether a group is being written (for tests).</summary>
    public bool Writing
    {
        get
        {
            lock (_lock) return _writing;
        }
    }

    /// <summary>How many writes wait for the next group (for tests).</summary>
    public int QueuedCount
    {
        get
        {
            lock (_lock) return _queued.Count;
        }
    }

    /// <summary>
    /// Writes <paramref name="item"/> with the next group and returns its result. A caller that gives up while still
    /// queued is withdrawn (its item is never written); once its group is being written, it gets the true outcome.
    /// </summary>
    public async Task<TResult> WriteAsync(TItem item, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entry = new Entry(item);
        bool lead;
        lock (_lock)
        {
            _queued.Add(entry);
            lead = !_writing;
            _writing = true;
        }
        if (lead && !_leadWritesInline)
        {
            _ = Task.Run(WriteGroupsAsync, CancellationToken.None);
        }
        else if (lead)
        {
            // No write was in progress, so the queue held only this call: write it now. Whatever queued meanwhile is
            // written by a loop of its own, so that this caller is answered as soon as its own write is done.
            await WriteNextGroupAsync();
            bool more;
            lock (_lock)
            {
                more = _queued.Count > 0;
                if (!more) _writing = false;
            }
            if (more) _ = Task.Run(WriteGroupsAsync, CancellationToken.None);
            return await entry.Task;
        }
        if (!cancellationToken.CanBeCanceled) return await entry.Task;
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
                if (!_queued.Remove(entry)) return;
            entry.TrySetCanceled(cancellationToken);
        });
        return await entry.Task;
    }

    private async Task WriteGroupsAsync()
    {
        while (await WriteNextGroupAsync())
        {
        }
    }

    /// <summary>Writes the queued items (up to the group size). False: none was queued, and the writer's role is given up.</summary>
    private async Task<bool> WriteNextGroupAsync()
    {
        List<Entry> group;
        lock (_lock)
        {
            if (_queued.Count == 0)
            {
                _writing = false;
                return false;
            }
            if (_queued.Count <= _maxGroup)
            {
                group = _queued;
                _queued = [];
            }
            else
            {
                group = _queued.GetRange(0, _maxGroup);
                _queued.RemoveRange(0, _maxGroup);
            }
        }
        try
        {
            await _writeGroup(group);
        }
        catch (Exception ex)
        {
            foreach (var entry in group) entry.TrySetException(ex);
            return true;
        }
        // A writer that forgot an entry must not leave its caller waiting for ever.
        foreach (var entry in group)
            entry.TrySetException(new InvalidOperationException("The group writer did not answer this write."));
        return true;
    }

    /// <summary>One queued write; answered (completed) by the group writer, only after the group's write returned.</summary>
    internal sealed class Entry(TItem item) : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        /// <summary>What the caller asked to write.</summary>
        public TItem Item { get; } = item;
    }
}
