namespace Leora.Jobs;

/// <summary>Thrown at start-up when two job types share one kind.</summary>
public sealed class DuplicateJobTypeException : Exception
{
    public DuplicateJobTypeException() { }
    public DuplicateJobTypeException(string message) : base(message) { }
    public DuplicateJobTypeException(string message, Exception innerException) : base(message, innerException) { }
}
