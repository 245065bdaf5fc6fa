namespace Leora.Jobs;

/// <summary>The outcome of an enqueue.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Existing">True when an idempotency key matched a job that was already there; nothing new was inserted.</param>
public readonly record struct EnqueueResult(long Id, bool Existing);
