namespace Leora.Jobs;

/// <summary>
/// Thrown by a handler to fail this attempt and retry after <see cref="RetryAfter"/> instead of the job type's
/// backoff (for example to honour an HTTP <c>Retry-After</c>). The job still fails when its attempts are used up.
/// </summary>
public sealed class RetryJobException : Exception
{
    public RetryJobException() { }
    public RetryJobException(string message) : base(message) { }
    public RetryJobException(string message, Exception innerException) : base(message, innerException) { }
    public RetryJobException(string message, TimeSpan? retryAfter, Exception? innerException = null) : base(message, innerException) =>
        RetryAfter = retryAfter;

    /// <summary>How long to wait before the next attempt; null uses the job type's backoff.</summary>
    public TimeSpan? RetryAfter { get; }
}
