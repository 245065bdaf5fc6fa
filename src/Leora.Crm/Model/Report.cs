namespace Leora.Crm.Model;

/// <summary>A requested report and, once generated, its file.</summary>
internal sealed record Report(
    long Id, string ReportType, string Format, string Status, long? JobId, long? FileId, long? RowCount, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);
