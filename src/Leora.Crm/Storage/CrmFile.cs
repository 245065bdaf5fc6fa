namespace Leora.Crm.Storage;

/// <summary>A stored file's metadata.</summary>
internal sealed record CrmFile(long Id, string Name, string ContentType, long SizeBytes, string? Path);
