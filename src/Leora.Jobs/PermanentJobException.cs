namespace Leora.Jobs;

/// <summary>Thrown by a handler to fail the job at once, without retry (bad input, a refused request, …).</summary>
public sealed class PermanentJobException : Exception
{
    public PermanentJobException() { }
    public PermanentJobException(string message) : base(message) { }
    public PermanentJobException(string message, Exception innerException) : base(message, innerException) { }
}
