namespace Leora.Crm.Model;

/// <summary>An uploaded image and what was read from it.</summary>
internal sealed record ImageScan(
    long Id, string ScanType, string Status, long ImageFileId, string MediaType, long? JobId, string? Data, string? Error,
    long? CustomerId, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);
