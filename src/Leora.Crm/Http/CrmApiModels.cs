using System.Text.Json;

// The bodies of the CRM's find-and-edit endpoints, as records so that the OpenAPI document describes them (camelCase on
// the wire). Kept together: each is a plain shape with no behaviour.
namespace Leora.Crm.Http;

/// <summary>One page of a list, and the cursor of the next page (null on the last page).</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, long? NextCursor);

/// <summary>A customer. <c>Enrichments</c> is given by <c>GET /customers/{id}</c> only.</summary>
internal sealed record CustomerView(
    long Id, string Email, string? Name, string? Phone, string? Company, string? Title, string? Website, string? Industry,
    string? CompanySize, string? Description, string? Address, string? City, string? Region, string? PostalCode, string? Country,
    string? Status, string? Source, IReadOnlyList<string> ManualFields, IReadOnlyList<string> EditedFields, DateTimeOffset? EnrichedAt,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<EnrichmentView>? Enrichments);

/// <summary>One enriched field of a customer.</summary>
internal sealed record EnrichmentView(string Field, string? OldValue, string NewValue, string Source, long? JobId, DateTimeOffset EnrichedAt);

/// <summary>
/// The body of <c>PATCH /customers/{id}</c>: the fields to change, each a string, or null (or "") to clear it; the
/// e-mail can be changed but not cleared. Fields not sent are left as they are. Every field sent is marked as edited by
/// a person: later imports and enrichment do not overwrite it.
/// </summary>
internal sealed record CustomerPatch(
    string? Email, string? Name, string? Phone, string? Company, string? Title, string? Website, string? Industry, string? CompanySize,
    string? Description, string? Address, string? City, string? Region, string? PostalCode, string? Country, string? Status, string? Source);

/// <summary>An import as a list shows it; <c>batchId</c> and <c>reportId</c> when it is a workflow (its enrichments and report).</summary>
internal sealed record ImportView(
    long Id, string FileName, string Format, string Status, long RowsDone, long Inserted, long Updated, long Rejected, string? Encoding,
    string? Error, long? JobId, string? JobStatus, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, long? BatchId, long? ReportId);

/// <summary>
/// A scan. While its job waits to retry (Claude busy, the image URL not answering), <c>status</c> stays
/// <c>processing</c> and <c>retrying</c> is true: <c>attempt</c> of <c>maxAttempts</c> failed with <c>lastError</c>, and the
/// next try is at <c>nextTryAt</c>.
/// </summary>
internal sealed record ScanView(
    long Id, string ScanType, string Status, string? ImageUrl, JsonElement? Data, string? Error, long? CustomerId, long? JobId,
    string? JobStatus, int? Attempt, int? MaxAttempts, bool Retrying, string? LastError, DateTimeOffset? NextTryAt,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>A report as a list shows it; an import report (type <c>import</c>) names its import.</summary>
internal sealed record ReportView(
    long Id, string Type, string Format, string Status, long? RowCount, string? Error, long? JobId, string? JobStatus,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, long? ImportId);

/// <summary>The JSON body of <c>POST /scans</c> for an image given by URL (an upload is multipart instead).</summary>
internal sealed record ScanFromUrlRequest(string? ScanType, string? ImageUrl);

/// <summary>The answer to a request that started a job: the new row's id, its job and its status.</summary>
internal sealed record ScanAccepted(long ScanId, long JobId, string Status);

/// <summary>The answer to <c>POST /reports</c>: the new report, its job, and its status (<c>pending</c>).</summary>
internal sealed record ReportAccepted(long ReportId, long JobId, string Status);

/// <summary>
/// A report's status (<c>GET /reports/{id}</c>): <c>rowCount</c> rows in the file of <c>totalRows</c> the report matched
/// (<c>truncated</c> when a PDF's row cap, <c>rowCap</c>, held fewer); <c>downloadUrl</c> once it is completed. An import
/// report (type <c>import</c>) names its import.
/// </summary>
internal sealed record ReportStatusView(
    long Id, string Type, string Format, string Status, int Progress, long? RowCount, long? TotalRows, bool Truncated, long? RowCap,
    string? Error, string? DownloadUrl, long? JobId, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, long? ImportId);

/// <summary>The answer to <c>POST /imports</c>: the new import, its job, and its status (<c>pending</c>).</summary>
internal sealed record ImportAccepted(long ImportId, long JobId, string Status);

/// <summary>
/// An import's status and counts (<c>GET /imports/{id}</c>); <c>rejectedRowsUrl</c> when rows were rejected. An import that is
/// a workflow has <c>batchId</c> (the batch its job leads), <c>enrichments</c> (the progress of the customer_enrichment jobs
/// it added to the batch) and <c>reportId</c> (its report, generated once every enrichment has finished).
/// </summary>
internal sealed record ImportStatusView(
    long Id, string FileName, string Format, string Status, int Progress, long RowsDone, long Inserted, long Updated, long Rejected,
    string? Encoding, IReadOnlyList<string> IgnoredColumns, string? Error, string? RejectedRowsUrl, long? JobId, DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt, long? BatchId, EnrichmentProgress? Enrichments, long? ReportId);

/// <summary>
/// The customer_enrichment jobs of an import: how many it enqueued (<c>total</c>; 0 until the import has completed) and how
/// many are <c>pending</c> (not finished), <c>completed</c>, <c>failed</c> and <c>cancelled</c>; <c>finished</c> once the
/// import and every enrichment have finished (the import's report is then generated).
/// </summary>
internal sealed record EnrichmentProgress(int Total, int Pending, int Completed, int Failed, int Cancelled, bool Finished);

/// <summary>The answer to <c>POST /customers/{id}/enrich</c>: the customer and the enrichment's job.</summary>
internal sealed record EnrichmentAccepted(long CustomerId, long JobId);
