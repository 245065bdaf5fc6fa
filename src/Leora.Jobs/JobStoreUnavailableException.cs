namespace Leora.Jobs;

/// <summary>
/// Thrown when the jobs database could not be reached for a moment: a connection refused, reset or closed by the server
/// (PostgreSQL restarting or failing over: SQLSTATE class 08, 57P01–57P03, 53300), or SQLite's write lock held by another
/// process past the busy timeout. The statement may be retried: the HTTP API answers it with 503 Service Unavailable and
/// <c>Retry-After</c>. A write interrupted this way after it was sent may or may not have been committed; an enqueue
/// retried with the same idempotency key is stored once either way (docs/operations.md).
/// </summary>
public sealed class JobStoreUnavailableException : Exception
{
    public JobStoreUnavailableException() { }
    public JobStoreUnavailableException(string message) : base(message) { }
    public JobStoreUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
