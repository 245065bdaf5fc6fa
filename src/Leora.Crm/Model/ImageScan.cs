namespace Leora.Crm.Model;

/// <summary>
/// An image and what was read from it. An uploaded image has its file at once; an image given by URL has
/// <see cref="ImageUrl"/> and gets its file (and media type) when the job fetches it.
/// </summary>
internal sealed record ImageScan(
    long Id, string ScanType, string Status, long? ImageFileId, string? ImageUrl, string? MediaType, long? JobId, string? Data, string? Error,
    long? CustomerId, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);
