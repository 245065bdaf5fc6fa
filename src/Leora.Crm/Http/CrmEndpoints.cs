using System.Text.Json;
using Leora.Crm.Extraction;
using Leora.Crm.Imports;
using Leora.Crm.Model;
using Leora.Crm.Reports;
using Leora.Crm.Storage;
using Leora.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Leora.Crm.Http;

/// <summary>The CRM's HTTP handlers. Bad input answers application/problem+json (400, 404, 409, 413, 415, 503) and writes nothing.</summary>
internal static class CrmEndpoints
{
    /// <summary>
    /// Starts a scan: of an uploaded image (multipart, file field <c>image</c>), or of an image URL fetched when the job
    /// runs (JSON <c>{"scanType", "imageUrl"}</c>, or a multipart field <c>imageUrl</c> instead of the file).
    /// </summary>
    public static async Task<IResult> UploadScanAsync(HttpContext http, CrmCommands commands, IOptions<CrmOptions> options, CancellationToken ct)
    {
        var o = options.Value;
        if (!o.ImageExtractionConfigured)
            return Problem(StatusCodes.Status503ServiceUnavailable, "Image extraction is not configured", $"{ImageExtractionHandler.NotConfigured}: set ANTHROPIC_API_KEY on the server.");
        if (http.Request.HasJsonContentType())
        {
            ScanFromUrlRequest? request;
            try
            {
                request = await http.Request.ReadFromJsonAsync<ScanFromUrlRequest>(JobJson.Options, ct);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid request", "Send JSON: {\"scanType\": \"business_card\", \"imageUrl\": \"https://…\"}.");
            }
            return await CreateScanFromUrlAsync(http, commands, request?.ScanType, request?.ImageUrl, ct);
        }
        var (form, error) = await ReadFormAsync(http, o.MaxImageBytes, ct);
        if (error is not null) return error;
        var scanType = form!["scanType"].ToString();
        var file = form.Files.GetFile("image") ?? form.Files.GetFile("file") ?? (form.Files.Count > 0 ? form.Files[0] : null);
        if (file is null && form.TryGetValue("imageUrl", out var imageUrl)) return await CreateScanFromUrlAsync(http, commands, scanType, imageUrl.ToString(), ct);
        if (!ScanTypes.IsValid(scanType))
            return Problem(StatusCodes.Status400BadRequest, "Invalid scanType", $"scanType must be '{ScanTypes.BusinessCard}' or '{ScanTypes.LiquorLicense}'.");
        if (file is null || file.Length == 0) return Problem(StatusCodes.Status400BadRequest, "No image", "Send the image as a multipart file field named 'image', or its address as 'imageUrl'.");
        if (file.Length > o.MaxImageBytes) return TooLarge(o.MaxImageBytes);
        await using var stream = file.OpenReadStream();
        var head = new byte[16];
        var n = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var mediaType = ImageFormat.Sniff(head.AsSpan(0, n));
        if (mediaType is null)
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported image", "The file is not a JPEG, PNG, GIF or WebP image (checked by its content).");
        stream.Position = 0;
        var (scanId, jobId) = await commands.CreateScanAsync(scanType, mediaType, SafeName(file.FileName, "image"), stream, ct);
        return TypedResults.Accepted($"{http.Request.PathBase}{http.Request.Path}/{scanId}", new ScanAccepted(scanId, jobId, "processing"));
    }

    private static async Task<IResult> CreateScanFromUrlAsync(HttpContext http, CrmCommands commands, string? scanType, string? imageUrl, CancellationToken ct)
    {
        if (!ScanTypes.IsValid(scanType))
            return Problem(StatusCodes.Status400BadRequest, "Invalid scanType", $"scanType must be '{ScanTypes.BusinessCard}' or '{ScanTypes.LiquorLicense}'.");
        if (string.IsNullOrWhiteSpace(imageUrl) || imageUrl.Length > 2048 || !Uri.TryCreate(imageUrl.Trim(), UriKind.Absolute, out var url)
            || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.UserInfo))
            return Problem(StatusCodes.Status400BadRequest, "Invalid imageUrl", "imageUrl must be an absolute http or https URL of at most 2048 characters, without user name or password.");
        var (scanId, jobId) = await commands.CreateScanFromUrlAsync(scanType!, url, ct);
        return TypedResults.Accepted($"{http.Request.PathBase}{http.Request.Path}/{scanId}", new ScanAccepted(scanId, jobId, "processing"));
    }

    public static async Task<IResult> GetScanAsync(long id, CrmStore store, IJobClient jobs, CancellationToken ct)
    {
        var scan = await store.ScanGetAsync(id, ct);
        if (scan is null) return NotFound("scan", id);
        var job = scan.JobId is { } jobId ? await jobs.GetAsync(jobId, ct) : null;
        return TypedResults.Ok(ScanView(scan, job));
    }

    /// <summary>
    /// A scan as the API shows it. A job that failed outside the handler (a timeout, a crash loop) leaves the scan
    /// processing: the view tells the truth. A job waiting to retry shows its attempt, last error and next try.
    /// </summary>
    internal static ScanView ScanView(ImageScan scan, JobInfo? job)
    {
        var status = scan.Status;
        var error = scan.Error;
        if (status == "processing" && job is { Status: JobStatus.Failed or JobStatus.Cancelled })
        {
            status = "failed";
            error = job.Errors.Count > 0 ? job.Errors[^1].Message : $"the job was {job.Status.ToName()}";
        }
        var retrying = status == "processing" && job is { Status: JobStatus.Pending, Attempts: > 0 };
        return new ScanView(
            scan.Id, scan.ScanType, status, scan.ImageUrl, scan.Data is null ? null : JsonDocument.Parse(scan.Data).RootElement.Clone(), error,
            scan.CustomerId, scan.JobId, job?.Status.ToName(), job?.Attempts, job?.MaxAttempts, retrying,
            job is { Errors.Count: > 0 } && status == "processing" ? job.Errors[^1].Message : null, retrying ? job!.RunAt : null,
            scan.CreatedAt, scan.CompletedAt);
    }

    public static async Task<IResult> CreateReportAsync(HttpContext http, CrmCommands commands, CancellationToken ct)
    {
        ReportRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<ReportRequest>(JobJson.Options, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", "Send JSON: {\"type\": \"customers\", \"format\": \"csv\"}.");
        }
        if (request is null || !ReportTypes.IsValid(request.Type))
            return Problem(StatusCodes.Status400BadRequest, "Invalid report type", $"type must be one of {ReportTypes.Customers}, {ReportTypes.CustomerSegments}, {ReportTypes.Activity}.");
        var format = request.Format ?? ReportFormats.Csv;
        if (!ReportFormats.IsValid(format))
            return Problem(StatusCodes.Status400BadRequest, "Invalid report format", "format must be csv, xlsx or pdf.");
        var (reportId, jobId) = await commands.CreateReportAsync(request.Type!, format, ct);
        return TypedResults.Accepted($"{http.Request.PathBase}{http.Request.Path}/{reportId}", new ReportAccepted(reportId, jobId, "pending"));
    }

    public static async Task<IResult> GetReportAsync(long id, HttpContext http, CrmStore store, IJobClient jobs, CancellationToken ct)
    {
        var report = await store.ReportGetAsync(id, ct);
        if (report is null) return NotFound("report", id);
        var job = report.JobId is { } jobId ? await jobs.GetAsync(jobId, ct) : null;
        var (status, error) = Truth(report.Status, report.Error, job);
        // rowCount is what the file holds; totalRows what the report matched; a PDF past its row cap holds fewer (truncated).
        var totalRows = report.TotalRows ?? report.RowCount;
        var truncated = totalRows > report.RowCount;
        return TypedResults.Ok(new ReportStatusView(
            report.Id, report.ReportType, report.Format, status, status == "completed" ? 100 : job?.Progress ?? 0, report.RowCount, totalRows,
            truncated, truncated ? report.RowCount : null, error,
            status == "completed" ? $"{http.Request.PathBase}{http.Request.Path}/download" : null,
            report.JobId, report.CreatedAt, report.CompletedAt, report.ImportId));
    }

    public static async Task<IResult> DownloadReportAsync(long id, CrmStore store, CrmFileStore files, CancellationToken ct)
    {
        var report = await store.ReportGetAsync(id, ct);
        if (report is null) return NotFound("report", id);
        if (report.Status != "completed" || report.FileId is not { } fileId)
            return Problem(StatusCodes.Status409Conflict, "Report not ready", $"Report {id} is {report.Status}; download it once it is completed.");
        var meta = (await files.GetAsync(fileId, ct))!;
        var stream = await files.OpenReadAsync(fileId, ct);
        return TypedResults.File(stream, ReportFormats.ContentType(report.Format), meta.Name);
    }

    public static async Task<IResult> UploadImportAsync(HttpContext http, CrmCommands commands, IOptions<CrmOptions> options, CancellationToken ct)
    {
        var o = options.Value;
        var (form, error) = await ReadFormAsync(http, o.MaxImportBytes, ct);
        if (error is not null) return error;
        var file = form!.Files.GetFile("file") ?? (form.Files.Count > 0 ? form.Files[0] : null);
        if (file is null || file.Length == 0) return Problem(StatusCodes.Status400BadRequest, "No file", "Send the CSV or XLSX file as a multipart file field named 'file'.");
        if (file.Length > o.MaxImportBytes) return TooLarge(o.MaxImportBytes);
        await using var stream = file.OpenReadStream();
        var head = new byte[8192];
        var n = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var (kind, problem) = ImportFileKind.Sniff(head.AsSpan(0, n));
        if (kind is null) return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported file", problem!);
        stream.Position = 0;
        if (kind == ImportFileKind.Xlsx && XlsxGuard.Check(stream, o) is { } refused)
            return Problem(StatusCodes.Status400BadRequest, "XLSX file refused", refused);
        stream.Position = 0;
        var (importId, jobId) = await commands.CreateImportAsync(kind, SafeName(file.FileName, "import." + kind), stream, ct);
        return TypedResults.Accepted($"{http.Request.PathBase}{http.Request.Path}/{importId}", new ImportAccepted(importId, jobId, "pending"));
    }

    public static async Task<IResult> GetImportAsync(long id, HttpContext http, CrmStore store, IJobClient jobs, IJobWorkflows workflows, CancellationToken ct)
    {
        var import = await store.ImportGetAsync(id, ct);
        if (import is null) return NotFound("import", id);
        var job = import.JobId is { } jobId ? await jobs.GetAsync(jobId, ct) : null;
        var (status, error) = Truth(import.Status, import.Error, job);
        return TypedResults.Ok(new ImportStatusView(
            import.Id, import.FileName, import.Format, status, status == "completed" ? 100 : job?.Progress ?? 0,
            import.RowsDone, import.Inserted, import.Updated, import.Rejected,
            import.Encoding, import.IgnoredColumns is { } ic ? ic.Split(", ") : [], error,
            import.Rejected > 0 ? $"{http.Request.PathBase}{http.Request.Path}/rejected" : null,
            import.JobId, import.CreatedAt, import.CompletedAt, import.BatchId,
            import.BatchId is { } batchId && await workflows.GetBatchAsync(batchId, ct) is { } batch ? Enrichments(batch, job) : null, import.ReportId));
    }

    /// <summary>
    /// The enrichments of an import's batch: the batch's members less the import's own job (its first member), counted where
    /// the job's status puts it. The batch and the job are read one after the other, so a count may lag the other by one.
    /// </summary>
    internal static EnrichmentProgress Enrichments(JobBatch batch, JobInfo? importJob)
    {
        int pending = batch.Pending, completed = batch.Completed, failed = batch.Failed, cancelled = batch.Cancelled;
        switch (importJob?.Status)
        {
            case JobStatus.Completed: completed--; break;
            case JobStatus.Failed: failed--; break;
            case JobStatus.Cancelled: cancelled--; break;
            default: pending--; break;
        }
        return new EnrichmentProgress(
            Math.Max(0, batch.Total - 1), Math.Max(0, pending), Math.Max(0, completed), Math.Max(0, failed), Math.Max(0, cancelled), batch.IsFinished);
    }

    public static async Task<IResult> DownloadRejectedAsync(long id, CrmStore store, CancellationToken ct)
    {
        var import = await store.ImportGetAsync(id, ct);
        if (import is null) return NotFound("import", id);
        // Written to a temporary file first, so that a failure half-way answers 500 instead of a silently truncated file.
        FileStream? temp = null;
        try
        {
            temp = new FileStream(Path.Combine(Path.GetTempPath(), $"leora-rejected-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await using (var writer = new CsvReportWriter(temp))
            {
                await writer.WriteRowAsync(["Row", "Reason", "Fields"], ct);
                await foreach (var (row, reason, raw) in store.RejectionListAsync(id, ct))
                {
                    var fields = JsonSerializer.Deserialize<string[]>(raw) ?? [];
                    var values = new List<object?>(fields.Length + 2) { row, reason };
                    values.AddRange(fields);
                    await writer.WriteRowAsync(values, ct);
                }
                await writer.CompleteAsync(ct);
            }
            temp.Position = 0;
            var result = TypedResults.File(temp, "text/csv; charset=utf-8", $"import-{id}-rejected.csv");
            temp = null;
            return result;
        }
        finally
        {
            temp?.Dispose();
        }
    }

    public static async Task<IResult> GetCustomerAsync(long id, CrmStore store, CancellationToken ct)
    {
        var c = await store.CustomerGetAsync(id, ct);
        if (c is null) return NotFound("customer", id);
        var enrichments = await store.EnrichmentListAsync(id, ct);
        return TypedResults.Ok(CrmFindEndpoints.CustomerView(c, enrichments));
    }

    public static async Task<IResult> EnrichCustomerAsync(long id, HttpContext http, CrmCommands commands, CancellationToken ct)
    {
        var jobId = await commands.EnrichCustomerAsync(id, ct);
        if (jobId is null) return NotFound("customer", id);
        var path = http.Request.Path.Value ?? "";
        return TypedResults.Accepted($"{http.Request.PathBase}{path[..path.LastIndexOf('/')]}", new EnrichmentAccepted(id, jobId.Value));
    }

    /// <summary>The row's status, unless its job ended failed or cancelled without the handler saying so.</summary>
    internal static (string Status, string? Error) Truth(string status, string? error, JobInfo? job) =>
        status is "pending" or "running" && job is { Status: JobStatus.Failed or JobStatus.Cancelled }
            ? ("failed", job.Errors.Count > 0 ? job.Errors[^1].Message : $"the job was {job.Status.ToName()}")
            : (status, error);

    private static async Task<(IFormCollection? Form, IResult? Error)> ReadFormAsync(HttpContext http, long limit, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType || !(http.Request.ContentType ?? "").StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Multipart expected", "Send multipart/form-data."));
        if (http.Request.ContentLength > limit + 64 * 1024) return (null, TooLarge(limit));
        // Room for the form's other fields and boundaries above the file limit.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit + 64 * 1024;
        try
        {
            return (await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit + 64 * 1024 }, ct), null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit));
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return (null, TooLarge(limit));
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "Malformed form", "The multipart body could not be read."));
        }
    }

    private static string SafeName(string? name, string fallback)
    {
        var n = Path.GetFileName(name ?? "");
        n = new string([.. n.Where(c => !char.IsControl(c))]);
        return n.Length is 0 or > 200 ? fallback : n;
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "File too large", $"The file is larger than {limit / (1024.0 * 1024):0.#} MB.");

    internal static ProblemHttpResult NotFound(string what, long id) =>
        Problem(StatusCodes.Status404NotFound, "Not found", $"There is no {what} {id}.");

    internal static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
