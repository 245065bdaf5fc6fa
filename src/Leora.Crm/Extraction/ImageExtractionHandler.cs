using System.Text.Json.Nodes;
using Anthropic.Models.Messages;
using Leora.Crm.Claude;
using Leora.Crm.Model;
using Leora.Crm.Storage;
using Leora.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Crm.Extraction;

/// <summary>
/// Runs <c>image_extraction</c>: fetches the image first when the scan names a URL (<see cref="ImageFetcher"/>; kept once
/// fetched, so a retry asks Claude again without fetching again), then sends the scan's image to Claude with the scan type's JSON schema, normalises the answer
/// and stores it on the scan (status <c>completed</c>). A refusal or an unreadable image fails the scan at once with a
/// readable error; 429/5xx/timeouts retry (the scan stays <c>processing</c> until the last attempt fails it).
/// </summary>
internal sealed class ImageExtractionHandler(
    CrmStore store, CrmFileStore files, ClaudeClient claude, ImageFetcher fetcher, IOptions<CrmOptions> options, ILogger<ImageExtractionHandler> logger)
    : IJobHandler<ImageExtractionArgs>
{
    public const string NotConfigured = "image extraction is not configured";

    public async Task HandleAsync(JobContext<ImageExtractionArgs> job, CancellationToken cancellationToken)
    {
        var scan = await store.ScanGetAsync(job.Args.ScanId, cancellationToken)
            ?? throw new PermanentJobException($"Scan {job.Args.ScanId} does not exist.");
        if (scan.Status != "processing")
        {
            // An attempt that completed the scan but whose job's completion was not written wrote no child either.
            if (scan.Status == "completed" && scan.CustomerId is { } existing) Enrich(job, existing);
            job.SetResult(new { scanId = scan.Id, status = scan.Status, customerId = scan.CustomerId });
            return;
        }
        try
        {
            if (!claude.IsConfigured) throw new PermanentJobException(NotConfigured + " (set ANTHROPIC_API_KEY)");
            var (fileId, mediaType) = scan.ImageFileId is { } stored
                ? (stored, scan.MediaType!)
                : await FetchAsync(job, scan, cancellationToken);
            await job.ReportProgressAsync(10, "reading image", cancellationToken);
            string base64;
            await using (var image = await files.OpenReadAsync(fileId, cancellationToken))
            {
                using var buffer = new MemoryStream();
                await image.CopyToAsync(buffer, cancellationToken);
                base64 = Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
            await job.ReportProgressAsync(30, "asking Claude", cancellationToken);
            var content = new List<ContentBlockParam>
            {
                new ImageBlockParam(new Base64ImageSource { Data = base64, MediaType = MediaTypeOf(mediaType) }),
                new TextBlockParam(ExtractionPrompts.Instruction(scan.ScanType)),
            };
            var answer = await claude.AskAsync(ExtractionPrompts.System, content, ExtractionPrompts.Schema(scan.ScanType), cancellationToken);
            var data = ExtractedData.From(scan.ScanType, answer, options.Value.DefaultPhoneCountryCode);
            long? customerId = null;
            if (scan.ScanType == ScanTypes.BusinessCard && options.Value.CreateCustomersFromBusinessCards)
                customerId = await UpsertCustomerAsync(data, cancellationToken);
            await store.ScanCompleteAsync(scan.Id, data.ToJsonString(), customerId, cancellationToken);
            if (customerId is { } id) Enrich(job, id);
            Log.ScanCompleted(logger, scan.Id, scan.ScanType);
            job.SetResult(new { scanId = scan.Id, status = "completed", customerId });
        }
        catch (PermanentJobException ex)
        {
            await store.ScanFailAsync(scan.Id, ex.Message, CancellationToken.None);
            Log.ScanFailed(logger, scan.Id, ex.Message);
            throw;
        }
        catch (RetryJobException ex) when (job.Attempt >= job.MaxAttempts)
        {
            var error = $"{ex.Message.Split(';')[0]} (gave up after {job.Attempt} attempts)";
            await store.ScanFailAsync(scan.Id, error, CancellationToken.None);
            Log.ScanFailed(logger, scan.Id, error);
            throw;
        }
        catch (RetryJobException ex)
        {
            Log.ScanRetry(logger, scan.Id, ex.Message);
            throw;
        }
    }

    /// <summary>
    /// Enqueues the enrichment of the customer the card created or updated, written with this attempt's completion (a failed
    /// attempt's never appears). It depends on this job, which completes in that same transaction and so releases it at
    /// once: the dependency records the pair as one workflow (docs/workflows.md, "The CRM example").
    /// </summary>
    private void Enrich(JobContext<ImageExtractionArgs> job, long customerId)
    {
        if (!options.Value.EnrichScannedCustomers) return;
        // docs/workflows.md: scan-child
        job.EnqueueChild(new CustomerEnrichmentArgs(customerId), new EnqueueOptions { DependsOn = [job.Id] });
        // end
    }

    /// <summary>Fetches the scan's image URL and keeps the image with the scan.</summary>
    private async Task<(long FileId, string MediaType)> FetchAsync(JobContext<ImageExtractionArgs> job, ImageScan scan, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(scan.ImageUrl, UriKind.Absolute, out var url)) throw new PermanentJobException($"Scan {scan.Id} has neither an image nor a valid image URL.");
        await job.ReportProgressAsync(5, "fetching image", cancellationToken);
        var (bytes, mediaType) = await fetcher.FetchAsync(url, cancellationToken);
        var db = store.Database;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await db.BeginAsync(connection, cancellationToken);
        using var content = new MemoryStream(bytes, writable: false);
        var name = Path.GetFileName(url.AbsolutePath) is { Length: > 0 and <= 200 } n ? n : "image";
        var fileId = await files.SaveAsync(connection, tx, name, mediaType, content, cancellationToken);
        await store.ScanSetImageAsync(connection, tx, scan.Id, fileId, mediaType, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (fileId, mediaType);
    }

    private async Task<long?> UpsertCustomerAsync(JsonObject data, CancellationToken cancellationToken)
    {
        if (data["emails"] is not JsonArray { Count: > 0 } emails) return null;
        var customer = new Customer
        {
            Email = emails[0]!.GetValue<string>(),
            Name = (string?)data["name"],
            Title = (string?)data["title"],
            Company = (string?)data["company"],
            Phone = data["phones"] is JsonArray { Count: > 0 } phones ? phones[0]!.GetValue<string>() : null,
            Website = (string?)data["website"],
            Address = (string?)data["address"],
            Source = "business_card",
        };
        await using var connection = await store.Database.OpenConnectionAsync(cancellationToken);
        await using var tx = await store.Database.BeginAsync(connection, cancellationToken);
        var id = await store.CustomerUpsertAsync(connection, tx, customer, manual: false, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return id;
    }

    private static MediaType MediaTypeOf(string mediaType) => mediaType switch
    {
        "image/jpeg" => MediaType.ImageJpeg,
        "image/png" => MediaType.ImagePng,
        "image/gif" => MediaType.ImageGif,
        "image/webp" => MediaType.ImageWebP,
        _ => throw new PermanentJobException($"Unsupported image type {mediaType}."),
    };
}
