namespace Leora.Jobs;

/// <summary>
/// In-process wake-up: an enqueue in this process wakes this process's idle workers at once instead of at
/// their next poll. Other processes rely on polling (or on a store's own notifier).
/// </summary>
internal sealed class JobSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Wakes every waiter.</summary>
    public void Notify() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    /// <summary>A task that completes at the next <see cref="Notify"/>.</summary>
    public Task WaitAsync() => Volatile.Read(ref _next).Task;

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
