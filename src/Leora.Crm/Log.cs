using Leora.Jobs;
using Microsoft.Extensions.Logging;

namespace Leora.Crm;

/// <summary>The CRM's log events (event ids in <see cref="LeoraJobsEventId"/>). Never logs a key, an image or a row's content.</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.CrmMigrated, LogLevel.Information, "CRM migrations applied ({Provider}).")]
    public static partial void Migrated(ILogger logger, string provider);

    [LoggerMessage(LeoraJobsEventId.CrmScanCompleted, LogLevel.Information, "Scan {ScanId} ({ScanType}) completed.")]
    public static partial void ScanCompleted(ILogger logger, long scanId, string scanType);

    [LoggerMessage(LeoraJobsEventId.CrmScanFailed, LogLevel.Warning, "Scan {ScanId} failed: {Error}")]
    public static partial void ScanFailed(ILogger logger, long scanId, string error);

    [LoggerMessage(LeoraJobsEventId.CrmScanRetry, LogLevel.Information, "Scan {ScanId}: Claude asked to retry ({Error}).")]
    public static partial void ScanRetry(ILogger logger, long scanId, string error);

    [LoggerMessage(LeoraJobsEventId.CrmImportCompleted, LogLevel.Information, "Import {ImportId} completed: {Inserted} inserted, {Updated} updated, {Rejected} rejected.")]
    public static partial void ImportCompleted(ILogger logger, long importId, long inserted, long updated, long rejected);

    [LoggerMessage(LeoraJobsEventId.CrmImportFailed, LogLevel.Warning, "Import {ImportId} failed: {Error}")]
    public static partial void ImportFailed(ILogger logger, long importId, string error);

    [LoggerMessage(LeoraJobsEventId.CrmImportResumed, LogLevel.Information, "Import {ImportId} resumes after row {RowsDone}.")]
    public static partial void ImportResumed(ILogger logger, long importId, long rowsDone);

    [LoggerMessage(LeoraJobsEventId.CrmReportCompleted, LogLevel.Information, "Report {ReportId} ({ReportType}, {Format}) completed: {Rows} rows.")]
    public static partial void ReportCompleted(ILogger logger, long reportId, string reportType, string format, long rows);

    [LoggerMessage(LeoraJobsEventId.CrmReportFailed, LogLevel.Warning, "Report {ReportId} failed: {Error}")]
    public static partial void ReportFailed(ILogger logger, long reportId, string error);

    [LoggerMessage(LeoraJobsEventId.CrmCustomerEnriched, LogLevel.Information, "Customer {CustomerId} enriched: {Count} fields.")]
    public static partial void CustomerEnriched(ILogger logger, long customerId, int count);

    [LoggerMessage(LeoraJobsEventId.CrmEnrichmentModelSkipped, LogLevel.Warning, "Customer {CustomerId}: Claude enrichment skipped: {Reason}")]
    public static partial void EnrichmentModelSkipped(ILogger logger, long customerId, string reason);
}
