namespace Leora.Crm.Model;

/// <summary>
/// A requested report and, once generated, its file: <see cref="RowCount"/> rows in the file, of <see cref="TotalRows"/>
/// the report matched (fewer when the format caps its rows, as PDF does; null for reports generated before it was recorded).
/// An import report names its import (<see cref="ImportId"/>).
/// </summary>
internal sealed record Report(
    long Id, string ReportType, string Format, string Status, long? JobId, long? FileId, long? RowCount, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, long? TotalRows = null, long? ImportId = null);
