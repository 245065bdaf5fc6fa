namespace Leora.Crm.Model;

/// <summary>A customer import and its checkpoint (<see cref="RowsDone"/>: data rows consumed and committed).</summary>
internal sealed record Import(
    long Id, long FileId, string FileName, string Format, string Status, long? JobId, long RowsDone, long Inserted, long Updated,
    long Rejected, string? Encoding, string? IgnoredColumns, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);
