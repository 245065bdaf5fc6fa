namespace Leora.Jobs;

/// <summary>
/// Thrown when the jobs database cannot store what a statement wrote because its disk (the volume holding it) is full.
/// Nothing of that statement was kept; reads still work, and writes succeed again once space is freed. The HTTP API
/// answers it with 507 Insufficient Storage and readiness reports <c>disk-full</c> (docs/troubleshooting.md).
/// </summary>
public sealed class JobStoreFullException : Exception
{
    public JobStoreFullException() { }
    public JobStoreFullException(string message) : base(message) { }
    public JobStoreFullException(string message, Exception innerException) : base(message, innerException) { }
}
