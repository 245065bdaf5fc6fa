namespace Leora.Jobs;

/// <summary>A job type that is not registered. <see cref="KnownTypes"/> lists those that are.</summary>
public sealed class UnknownJobTypeException : Exception
{
    public UnknownJobTypeException() { }
    public UnknownJobTypeException(string message) : base(message) { }
    public UnknownJobTypeException(string message, Exception innerException) : base(message, innerException) { }
    public UnknownJobTypeException(string type, IReadOnlyList<string> knownTypes)
        : base($"Unknown job type '{type}'. Known types: {(knownTypes.Count == 0 ? "(none)" : string.Join(", ", knownTypes))}.")
    {
        Type = type;
        KnownTypes = knownTypes;
    }

    /// <summary>The type that was asked for.</summary>
    public string Type { get; } = "";
    /// <summary>The registered types, sorted.</summary>
    public IReadOnlyList<string> KnownTypes { get; } = [];
}
