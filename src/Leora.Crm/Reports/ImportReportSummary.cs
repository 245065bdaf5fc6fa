namespace Leora.Crm.Reports;

/// <summary>An import report's counts: the import's rows, and its enrichments by outcome (unfinished: pending, waiting or running).</summary>
internal sealed record ImportReportSummary(
    long ImportId, string FileName, string Status, string? Error, long RowsDone, long Created, long Changed, long Unchanged, long Rejected,
    long EnrichmentsCompleted, long EnrichmentsFailed, long EnrichmentsCancelled, long EnrichmentsUnfinished, long NotEnriched);
