using Leora.Crm.Reports;
using Leora.Crm.Storage;
using Leora.Jobs;
using Microsoft.Extensions.Options;

namespace Leora.Crm;

/// <summary>Creates CRM rows together with their jobs: the row and its job commit in one transaction, or neither does.</summary>
internal sealed class CrmCommands(CrmStore store, CrmFileStore files, IJobClient jobs, IJobWorkflows workflows, IOptions<CrmOptions> options)
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

    /// <summary>
    /// Stores the file, creates the import (status pending) and enqueues its bulk_import job. With
    /// <see cref="CrmOptions.EnrichImportedCustomers"/> (the default) the import is a workflow, created whole in this one
    /// transaction: the import's report (type <c>import</c>, pending) and a batch whose only member is the bulk_import job and
    /// whose on-complete callback is that report's report_generation. The import's enrichments join the batch later, as
    /// children written with the completion of the import's job (docs/workflows.md, "The CRM example").
    /// </summary>
    public async Task<(long ImportId, long JobId)> CreateImportAsync(string format, string fileName, Stream content, CancellationToken ct)
    {
        if (!options.Value.EnrichImportedCustomers)
            return await CreateWithJobAsync(
                (connection, tx) => InsertImportAsync(connection, tx, format, fileName, content, ct),
                importId => new BulkImportArgs(importId), store.ImportSetJobAsync, ct);

        var db = store.Database;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var importId = await InsertImportAsync(connection, tx, format, fileName, content, ct);
        var reportId = await store.ReportInsertForImportAsync(connection, tx, importId, ReportFormats.Csv, ct);
        // docs/workflows.md: import-batch
        var batch = await workflows.CreateBatchAsync(new JobBatchRequest
        {
            Description = $"import {importId}",
            // The import's own job is the batch's first member: the batch cannot finish (and report) before the import
            // has, and the enrichments its completion adds are counted before that completion can take the batch to zero.
            Jobs = [WorkflowJob.For(new BulkImportArgs(importId))],
            OnComplete = WorkflowJob.For(new ReportGenerationArgs(reportId)),
        }, tx, ct);
        // end
        var jobId = batch.JobIds[0];
        await store.ImportSetWorkflowAsync(connection, tx, importId, jobId, batch.BatchId!.Value, reportId, ct);
        await store.ReportSetJobAsync(connection, tx, reportId, batch.OnCompleteJobId!.Value, ct);
        await tx.CommitAsync(ct);
        return (importId, jobId);
    }

    private async Task<long> InsertImportAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, string format, string fileName, Stream content, CancellationToken ct)
    {
        var contentType = format == Imports.ImportFileKind.Xlsx ? ReportFormats.ContentType(ReportFormats.Xlsx) : "text/csv";
        var fileId = await files.SaveAsync(connection, tx, fileName, contentType, content, ct);
        return await store.ImportInsertAsync(connection, tx, fileId, fileName, format, ct);
    }

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
