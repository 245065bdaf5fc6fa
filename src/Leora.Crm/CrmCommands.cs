using Leora.Crm.Storage;
using Leora.Jobs;

namespace Leora.Crm;

/// <summary>Creates CRM rows together with their jobs: the row and its job commit in one transaction, or neither does.</summary>
internal sealed class CrmCommands(CrmStore store, CrmFileStore files, IJobClient jobs)
{
    /// <summary>Stores the image, creates the scan (status processing) and enqueues its image_extraction job.</summary>
    public Task<(long ScanId, long JobId)> CreateScanAsync(string scanType, string mediaType, string fileName, Stream image, CancellationToken ct) =>
        CreateWithJobAsync(
            async (connection, tx) =>
            {
                var fileId = await files.SaveAsync(connection, tx, fileName, mediaType, image, ct);
                return await store.ScanInsertAsync(connection, tx, scanType, fileId, null, mediaType, ct);
            },
            scanId => new ImageExtractionArgs(scanId), store.ScanSetJobAsync, ct);

    /// <summary>Creates a scan of the image at <paramref name="imageUrl"/> (status processing; fetched by the job) and enqueues its image_extraction job.</summary>
    public Task<(long ScanId, long JobId)> CreateScanFromUrlAsync(string scanType, Uri imageUrl, CancellationToken ct) =>
        CreateWithJobAsync(
            (connection, tx) => store.ScanInsertAsync(connection, tx, scanType, null, imageUrl.AbsoluteUri, null, ct),
            scanId => new ImageExtractionArgs(scanId), store.ScanSetJobAsync, ct);

    /// <summary>Creates a report (status pending) and enqueues its report_generation job.</summary>
    public Task<(long ReportId, long JobId)> CreateReportAsync(string reportType, string format, CancellationToken ct) =>
        CreateWithJobAsync(
            (connection, tx) => store.ReportInsertAsync(connection, tx, reportType, format, ct),
            reportId => new ReportGenerationArgs(reportId), store.ReportSetJobAsync, ct);

    /// <summary>Stores the file, creates the import (status pending) and enqueues its bulk_import job.</summary>
    public Task<(long ImportId, long JobId)> CreateImportAsync(string format, string fileName, Stream content, CancellationToken ct) =>
        CreateWithJobAsync(
            async (connection, tx) =>
            {
                var contentType = format == Imports.ImportFileKind.Xlsx ? Reports.ReportFormats.ContentType(Reports.ReportFormats.Xlsx) : "text/csv";
                var fileId = await files.SaveAsync(connection, tx, fileName, contentType, content, ct);
                return await store.ImportInsertAsync(connection, tx, fileId, fileName, format, ct);
            },
            importId => new BulkImportArgs(importId), store.ImportSetJobAsync, ct);

    /// <summary>Enqueues customer_enrichment for an existing customer; null when there is no such customer.</summary>
    public async Task<long?> EnrichCustomerAsync(long customerId, CancellationToken ct)
    {
        if (await store.CustomerGetAsync(customerId, ct) is null) return null;
        return (await jobs.EnqueueAsync(new CustomerEnrichmentArgs(customerId), cancellationToken: ct)).Id;
    }

    /// <summary>
    /// In one transaction: <paramref name="insert"/> creates the row, its job is enqueued, and the job's id is recorded on
    /// the row; then commits. The row and its job exist together or not at all.
    /// </summary>
    private async Task<(long RowId, long JobId)> CreateWithJobAsync<TArgs>(
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task<long>> insert,
        Func<long, TArgs> args,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, long, long, CancellationToken, Task> setJob,
        CancellationToken ct)
        where TArgs : IJobArgs
    {
        var db = store.Database;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var rowId = await insert(connection, tx);
        var job = await jobs.EnqueueAsync(args(rowId), tx, cancellationToken: ct);
        await setJob(connection, tx, rowId, job.Id, ct);
        await tx.CommitAsync(ct);
        return (rowId, job.Id);
    }
}
