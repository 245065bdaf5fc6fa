namespace Leora.Jobs.TestSupport;

/// <summary>One request the receiver got.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);
