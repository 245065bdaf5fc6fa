using Leora.Crm.Storage;
using Leora.Jobs;

namespace Leora.Crm;

/// <summary>Creates CRM rows together with their jobs: the row and its job commit in one transaction, or neither does.</summary>
internal sealed class CrmCommands(CrmStore store, CrmFileStore files, IJobClient jobs)
{
    /// <summary>Stores the image, creates the scan (status processing) and enqueues its image_extraction job.</summary>
    public async Task<(long ScanId, long JobId)> CreateScanAsync(string scanType, string mediaType, string fileName, Stream image, CancellationToken ct)
    {
        var db = store.Database;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var fileId = await files.SaveAsync(connection, tx, fileName, mediaType, image, ct);
        var scanId = await store.ScanInsertAsync(connection, tx, scanType, fileId, mediaType, ct);
        var job = await jobs.EnqueueAsync(new ImageExtractionArgs(scanId), tx, cancellationToken: ct);
        await store.ScanSetJobAsync(connection, tx, scanId, job.Id, ct);
        await tx.CommitAsync(ct);
        return (scanId, job.Id);
    }

    /// <summary>Creates a report (status pending) and enqueues its report_generation job.</summary>
    public async Task<(long ReportId, long JobId)> CreateReportAsync(string reportType, string format, CancellationToken ct)
    {
        var db = store.Database;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var reportId = await store.ReportInsertAsync(connection, tx, reportType, format, ct);
        var job = await jobs.EnqueueAsync(new ReportGenerationArgs(reportId), tx, cancellationToken: ct);
        await store.ReportSetJobAsync(connection, tx, reportId, job.Id, ct);
        await tx.CommitAsync(ct);
        return (reportId, job.Id);
    }

    /// <summary>Stores the file, creates the import (status pending) and enqueues its bulk_import job.</summary>
    public async Task<(long ImportId, long JobId)> CreateImportAsync(string format, string fileName, Stream content, CancellationToken ct)
    {
        var db = store.Database;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var contentType = format == Imports.ImportFileKind.Xlsx ? Reports.ReportFormats.ContentType(Reports.ReportFormats.Xlsx) : "text/csv";
        var fileId = await files.SaveAsync(connection, tx, fileName, contentType, content, ct);
        var importId = await store.ImportInsertAsync(connection, tx, fileId, fileName, format, ct);
        var job = await jobs.EnqueueAsync(new BulkImportArgs(importId), tx, cancellationToken: ct);
        await store.ImportSetJobAsync(connection, tx, importId, job.Id, ct);
        await tx.CommitAsync(ct);
        return (importId, job.Id);
    }

    /// <summary>Enqueues customer_enrichment for an existing customer; null when there is no such customer.</summary>
    public async Task<long?> EnrichCustomerAsync(long customerId, CancellationToken ct)
    {
        if (await store.CustomerGetAsync(customerId, ct) is null) return null;
        return (await jobs.EnqueueAsync(new CustomerEnrichmentArgs(customerId), cancellationToken: ct)).Id;
    }
}
