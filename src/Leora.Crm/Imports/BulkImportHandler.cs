using Leora.Crm.Model;
using Leora.Crm.Storage;
using Leora.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Crm.Imports;

/// <summary>
/// Runs <c>bulk_import</c>: streams the file's rows, validates each, and upserts customers by e-mail in batches. Each batch
/// commits its customers, its rejected rows and the checkpoint (rows consumed) in one transaction, so a retried or
/// rescued import skips what is done and never applies a row twice. The customers a batch created or changed are recorded
/// with its checkpoint; the attempt that completes the import enqueues one <c>customer_enrichment</c> for each of them, as
/// children written with its completion, into the import's batch (docs/workflows.md, "The CRM example").
/// </summary>
internal sealed class BulkImportHandler(
    CrmStore store, CrmFileStore files, IJobWorkflows workflows, IOptions<CrmOptions> options, ILogger<BulkImportHandler> logger)
    : IJobHandler<BulkImportArgs>
{
    /// <summary>
    /// Most enrichments one import enqueues: the core writes at most this many children with one completion. The customers
    /// past it are listed in the import's report as not enriched; <c>POST /api/customers/{id}/enrich</c> enriches one.
    /// </summary>
    internal const int MaxEnrichments = 100_000;

    /// <summary>
    /// The priority of an import's enrichments: below the default 0 of scans, single enrichments and reports, so that an
    /// import of many thousand customers does not hold up interactive work behind its fan-out.
    /// </summary>
    internal const int EnrichmentPriority = -1;

    // A batch also ends once its rows hold this many characters (a field counting four more, for its reference): each row
    // is bounded (MaxImportRowChars), but ImportBatchSize rows of the largest size would hold gigabytes.
    private const long BatchChars = 4L * 1024 * 1024;

    public async Task HandleAsync(JobContext<BulkImportArgs> job, CancellationToken cancellationToken)
    {
        var import = await store.ImportGetAsync(job.Args.ImportId, cancellationToken)
            ?? throw new PermanentJobException($"Import {job.Args.ImportId} does not exist.");
        if (import.Status is "completed" or "failed")
        {
            // An attempt that marked the import completed but whose job's completion was not written (its lease lost, the
            // process killed) wrote no children either: this attempt enqueues them, so they appear exactly once.
            var skipped = import.Status == "completed" ? await EnqueueEnrichmentsAsync(job, import, cancellationToken) : 0;
            job.SetResult(Result(import, skipped));
            return;
        }
        try
        {
            await RunAsync(job, import, cancellationToken);
        }
        // A file that is refused or malformed stays so: the import fails at once, without retries. Whatever the reader
        // throws is such a failure (ReadGuardedAsync makes it an ImportFileException with a readable reason).
        catch (Exception ex) when (ex is PermanentJobException or ImportFileException)
        {
            await store.ImportFailAsync(import.Id, ex.Message, CancellationToken.None);
            Log.ImportFailed(logger, import.Id, ex.Message);
            throw ex as PermanentJobException ?? new PermanentJobException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && job.Attempt >= job.MaxAttempts)
        {
            await store.ImportFailAsync(import.Id, $"{ex.Message} (gave up after {job.Attempt} attempts)", CancellationToken.None);
            Log.ImportFailed(logger, import.Id, ex.Message);
            throw;
        }
    }

    private async Task RunAsync(JobContext<BulkImportArgs> job, Import import, CancellationToken ct)
    {
        var o = options.Value;
        await using var source = await OpenAsync(import, o, ct);
        var header = await ReadGuardedAsync(source, import.Format, ct) ?? throw new PermanentJobException("The file is empty: it has no header row.");
        if (header.Problem is not null) throw new PermanentJobException($"The header row (row {header.Row}) cannot be read: {header.Problem}.");
        var (map, problem) = HeaderMap.Create(header.Fields);
        if (map is null) throw new PermanentJobException(problem!);
        await store.ImportStartAsync(import.Id, source.Encoding, map.Ignored.Count == 0 ? null : string.Join(", ", map.Ignored), ct);

        var done = import.RowsDone;
        if (done > 0) Log.ImportResumed(logger, import.Id, done);
        for (long skipped = 0; skipped < done; skipped++)
            if (await ReadGuardedAsync(source, import.Format, ct) is null) break;

        var batch = new List<ImportRow>(o.ImportBatchSize);
        long batchChars = 0;
        var lastProgress = -1;
        while (true)
        {
            var record = await ReadGuardedAsync(source, import.Format, ct);
            if (record is { } r)
            {
                batch.Add(r);
                foreach (var field in r.Fields) batchChars += field.Length + 4;
            }
            if (batch.Count >= o.ImportBatchSize || batchChars >= BatchChars || (record is null && batch.Count > 0))
            {
                done = await CommitBatchAsync(import.Id, done, batch, map, o, ct);
                batch.Clear();
                batchChars = 0;
                var percent = (int)(source.Position * 100);
                if (percent != lastProgress)
                {
                    lastProgress = percent;
                    await job.ReportProgressAsync(Math.Min(99, percent), $"{done} rows", ct);
                }
            }
            if (record is null) break;
        }
        var notEnqueued = await EnqueueEnrichmentsAsync(job, import, ct);
        await store.ImportCompleteAsync(import.Id, ct);
        var final = (await store.ImportGetAsync(import.Id, ct))!;
        Log.ImportCompleted(logger, final.Id, final.Inserted, final.Updated, final.Rejected);
        job.SetResult(Result(final, notEnqueued));
    }

    /// <summary>
    /// Adds one customer_enrichment child per customer the import created or changed, read from what every chunk recorded
    /// (so a resumed import enriches the customers of its earlier attempts too). The children are written with this
    /// attempt's completion or not at all: a failed attempt's never appear, and the retry adds them again, once.
    /// Returns how many customers were past <see cref="MaxEnrichments"/>.
    /// </summary>
    private async Task<long> EnqueueEnrichmentsAsync(JobContext<BulkImportArgs> job, Import import, CancellationToken ct)
    {
        if (!options.Value.EnrichImportedCustomers) return 0;
        // The batch stays open while its first member, this job, runs; it is closed only when the import ended before (a
        // failed import retried by hand) or was cancelled: the enrichments are then enqueued on their own.
        long count = 0, skipped = 0;
        // docs/workflows.md: import-children
        var batchId = import.BatchId is { } id && await workflows.GetBatchAsync(id, ct) is { FinishedAt: null, CancelledAt: null } ? id : (long?)null;
        await foreach (var customer in store.ImportCustomerListAsync(import.Id, ct))
        {
            if (count++ >= MaxEnrichments)
            {
                skipped++;
                continue;
            }
            job.EnqueueChild(new CustomerEnrichmentArgs(customer.CustomerId), new EnqueueOptions { BatchId = batchId, Priority = EnrichmentPriority });
        }
        // end
        return skipped;
    }

    private async Task<IRowSource> OpenAsync(Import import, CrmOptions o, CancellationToken ct)
    {
        // Reading the stored file may fail for a passing reason (the database): that retries. Parsing it may not.
        var stream = await files.OpenReadAsync(import.FileId, ct);
        try
        {
            return import.Format == ImportFileKind.Xlsx
                ? await XlsxRowSource.OpenAsync(stream, o, ct)
                : await CsvRowSource.OpenAsync(stream, o, ct);
        }
        catch (Exception ex) when (Damaged(ex, ct))
        {
            await stream.DisposeAsync();
            throw AsDamaged(ex, import.Format);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The next record; whatever the reader throws but a cancellation (XML cut off, a ZIP entry that ends early or lies
    /// about its size, a bad deflate stream) means the file is damaged, which no retry mends: an ImportFileException.
    /// </summary>
    private static async ValueTask<ImportRow?> ReadGuardedAsync(IRowSource source, string format, CancellationToken ct)
    {
        try
        {
            return await source.ReadAsync(ct);
        }
        catch (Exception ex) when (Damaged(ex, ct))
        {
            throw AsDamaged(ex, format);
        }
    }

    private static bool Damaged(Exception ex, CancellationToken ct) =>
        !(ex is OperationCanceledException && ct.IsCancellationRequested) && ex is not (PermanentJobException or OutOfMemoryException);

    private static Exception AsDamaged(Exception ex, string format) => ex is ImportFileException
        ? ex
        : new ImportFileException($"The {(format == ImportFileKind.Xlsx ? "XLSX" : "CSV")} file is damaged and cannot be read: {ex.Message}", ex);

    /// <summary>Applies one batch and moves the checkpoint, in one transaction. Returns the new checkpoint.</summary>
    private async Task<long> CommitBatchAsync(long importId, long done, List<ImportRow> batch, HeaderMap map, CrmOptions o, CancellationToken ct)
    {
        var valid = new List<(Customer Customer, long Row)>(batch.Count);
        var rejected = new List<(long Row, string Reason, string[] Fields)>();
        var consumed = 0;
        foreach (var (row, fields, broken) in batch)
        {
            consumed++;
            if (broken is not null)
            {
                rejected.Add((row, broken, fields));
                continue;
            }
            if (fields.All(string.IsNullOrWhiteSpace)) continue;
            var (customer, reason) = RowValidator.Validate(map, fields, o.DefaultPhoneCountryCode);
            if (customer is not null) valid.Add((customer, row));
            else rejected.Add((row, reason!, fields));
        }
        var db = store.Database;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var emails = valid.Select(v => v.Customer.Email).Distinct().ToList();
        // The stored customers are read whole only when the import enriches what it changes; else their e-mails suffice.
        var stored = o.EnrichImportedCustomers ? await store.CustomersByEmailsAsync(connection, tx, emails, ct) : null;
        var existing = stored is not null ? stored.Keys.ToHashSet(StringComparer.Ordinal) : await store.CustomerExistingEmailsAsync(connection, tx, emails, ct);
        long inserted = 0, updated = 0;
        var touched = new List<(string Email, long Row, string Change)>();
        foreach (var (customer, row) in valid)
        {
            if (stored?.GetValueOrDefault(customer.Email) is { } before)
            {
                updated++;
                if (Changes(customer, before)) touched.Add((customer.Email, row, "changed"));
            }
            else if (existing.Add(customer.Email))
            {
                inserted++;
                touched.Add((customer.Email, row, "created"));
            }
            else updated++;
        }
        await store.CustomerUpsertManyAsync(connection, tx, [.. valid.Select(v => v.Customer)], ct);
        await store.RejectionInsertManyAsync(connection, tx, importId, rejected, ct);
        if (o.EnrichImportedCustomers) await store.ImportCustomerInsertManyAsync(connection, tx, importId, touched, ct);
        if (!await store.ImportCheckpointAsync(connection, tx, importId, done, done + consumed, inserted, updated, rejected.Count, ct))
            throw new InvalidOperationException($"Import {importId}: another attempt moved the checkpoint past row {done}; this attempt stops.");
        await tx.CommitAsync(ct);
        return done + consumed;
    }

    /// <summary>
    /// Whether upserting <paramref name="row"/> changes <paramref name="stored"/>, as the upsert applies it: a value given that
    /// differs from the stored one, in a field no person edited through the API. (A row repeated within a chunk is compared
    /// with the customer as the chunk found it.)
    /// </summary>
    private static bool Changes(Customer row, Customer stored)
    {
        foreach (var (field, _, _) in Customer.Fields)
        {
            var value = row.Get(field);
            if (string.IsNullOrWhiteSpace(value) || stored.EditedFields.HasFlag(field)) continue;
            if (!string.Equals(value, stored.Get(field), StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static object Result(Import i, long enrichmentsSkipped) => new
    {
        importId = i.Id, status = i.Status, rowsDone = i.RowsDone, inserted = i.Inserted, updated = i.Updated, rejected = i.Rejected,
        batchId = i.BatchId, reportId = i.ReportId, enrichmentsSkipped,
    };
}
