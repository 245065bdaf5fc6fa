namespace Leora.Crm.Model;

/// <summary>
/// A customer import and its checkpoint (<see cref="RowsDone"/>: data rows consumed and committed); <see cref="BatchId"/> is the
/// jobs batch its job leads (its enrichments join it) and <see cref="ReportId"/> the report the batch's callback generates
/// (both null for imports started before CRM migration 004, or with <see cref="CrmOptions.EnrichImportedCustomers"/> off).
/// </summary>
internal sealed record Import(
    long Id, long FileId, string FileName, string Format, string Status, long? JobId, long RowsDone, long Inserted, long Updated,
    long Rejected, string? Encoding, string? IgnoredColumns, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt,
    long? BatchId = null, long? ReportId = null);
