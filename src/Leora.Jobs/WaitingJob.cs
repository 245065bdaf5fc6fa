using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>A job a batch claimed ahead, waiting for a free slot; the node's heartbeat keeps its lease until it starts.</summary>
internal sealed class WaitingJob(JobRow row) : IHeldJob
{
    private int _leaseLost;
    private int _cancelRequested;

    public JobRow Row { get; } = row;
    public Guid LockToken => Row.LockToken ?? throw new InvalidOperationException("A claimed job has a lock token.");
    public bool LeaseLost => Volatile.Read(ref _leaseLost) == 1;
    public bool CancelRequested => Volatile.Read(ref _cancelRequested) == 1;
    public void MarkLeaseLost() => Interlocked.Exchange(ref _leaseLost, 1);
    public void MarkCancelRequested() => Interlocked.Exchange(ref _cancelRequested, 1);
}
