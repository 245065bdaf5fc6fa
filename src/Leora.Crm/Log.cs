using Microsoft.Extensions.Logging;

namespace Leora.Crm;

/// <summary>The CRM's log events (ids 6000–6099). Never logs a key, an image or a row's content.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "CRM migrations applied ({Provider}).")]
    public static partial void Migrated(ILogger logger, string provider);

    [LoggerMessage(6001, LogLevel.Information, "Scan {ScanId} ({ScanType}) completed.")]
    public static partial void ScanCompleted(ILogger logger, long scanId, string scanType);

    [LoggerMessage(6002, LogLevel.Warning, "Scan {ScanId} failed: {Error}")]
    public static partial void ScanFailed(ILogger logger, long scanId, string error);

    [LoggerMessage(6003, LogLevel.Information, "Scan {ScanId}: Claude asked to retry ({Error}).")]
    public static partial void ScanRetry(ILogger logger, long scanId, string error);

    [LoggerMessage(6010, LogLevel.Information, "Import {ImportId} completed: {Inserted} inserted, {Updated} updated, {Rejected} rejected.")]
    public static partial void ImportCompleted(ILogger logger, long importId, long inserted, long updated, long rejected);

    [LoggerMessage(6011, LogLevel.Warning, "Import {ImportId} failed: {Error}")]
    public static partial void ImportFailed(ILogger logger, long importId, string error);

    [LoggerMessage(6012, LogLevel.Information, "Import {ImportId} resumes after row {RowsDone}.")]
    public static partial void ImportResumed(ILogger logger, long importId, long rowsDone);

    [LoggerMessage(6020, LogLevel.Information, "Report {ReportId} ({ReportType}, {Format}) completed: {Rows} rows.")]
    public static partial void ReportCompleted(ILogger logger, long reportId, string reportType, string format, long rows);

    [LoggerMessage(6021, LogLevel.Warning, "Report {ReportId} failed: {Error}")]
    public static partial void ReportFailed(ILogger logger, long reportId, string error);

    [LoggerMessage(6030, LogLevel.Information, "Customer {CustomerId} enriched: {Count} fields.")]
    public static partial void CustomerEnriched(ILogger logger, long customerId, int count);

    [LoggerMessage(6031, LogLevel.Warning, "Customer {CustomerId}: Claude enrichment skipped: {Reason}")]
    public static partial void EnrichmentModelSkipped(ILogger logger, long customerId, string reason);
}
