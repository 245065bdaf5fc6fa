namespace Leora.Jobs;

/// <summary>
/// Bad input rejected before it reaches the table: an unknown job type, a payload that does not bind to the
/// type's arguments, or an option out of range. <see cref="Field"/> names the offending field where known.
/// </summary>
public sealed class JobValidationException : Exception
{
    public JobValidationException() { }
    public JobValidationException(string message) : base(message) { }
    public JobValidationException(string message, Exception innerException) : base(message, innerException) { }
    public JobValidationException(string message, string? field, Exception? innerException = null) : base(message, innerException) =>
        Field = field;

    /// <summary>The field at fault (a payload path such as <c>payload.url</c>, or an option name), if known.</summary>
    public string? Field { get; }

    /// <summary>Every field at fault with its messages, when there are several (a payload checked against a JSON schema); null otherwise.</summary>
    internal IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}
