using System.Data.Common;
using Leora.Crm.Model;
using Leora.Crm.Storage;
using Leora.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Crm.Reports;

/// <summary>
/// Runs <c>report_generation</c>: streams the report's rows from the database into a CSV, XLSX or PDF file (a temporary
/// file, then the file store), reporting progress; memory stays flat whatever the row count (a PDF holds at most
/// <see cref="CrmOptions.MaxPdfReportRows"/> rows and counts the rest).
/// </summary>
internal sealed class ReportGenerationHandler(
    CrmStore store, CrmFileStore files, IJobWorkflows workflows, IOptions<CrmOptions> options, TimeProvider time, ILogger<ReportGenerationHandler> logger)
    : IJobHandler<ReportGenerationArgs>
{
    private const string Created = "Created at (UTC)", Updated = "Updated at (UTC)";

    private static readonly string[] CustomerHeader =
        ["Id", "Email", "Name", "Phone", "Company", "Title", "Website", "Industry", "Company size", "Description", "Address", "City",
         "Postal code", "Region", "Country", "Status", "Source", Created, Updated];

    /// <summary>What a printed report of <paramref name="reportType"/> says about itself, and which of its columns give way first.</summary>
    private static ReportHeading Heading(string reportType, DateTimeOffset now) => reportType switch
    {
        ReportTypes.Customers => new("Customers", "none (every customer)", now)
        {
            KeepWhole = new HashSet<string> { "Id", "Email", "Phone", "Website", Created, Updated },
            // A sales manager's printout keeps who, where and how to reach them; long free text and bookkeeping go first.
            DropFirst = ["Description", Updated, "Address", "Postal code", "Website", "Company size", "Industry", "Id", Created, "Source", "Title"],
        },
        ReportTypes.CustomerSegments => new("Customers by region, status and source", "none (every customer)", now),
        ReportTypes.Activity => new("Imports and scans per day", "none (every day with an import or a scan)", now) { KeepWhole = new HashSet<string> { "Day (UTC)" } },
        _ => new(reportType, "none", now),
    };

    public async Task HandleAsync(JobContext<ReportGenerationArgs> job, CancellationToken cancellationToken)
    {
        var report = await store.ReportGetAsync(job.Args.ReportId, cancellationToken)
            ?? throw new PermanentJobException($"Report {job.Args.ReportId} does not exist.");
        if (report.Status is "completed")
        {
            job.SetResult(new { reportId = report.Id, status = report.Status, rowCount = report.RowCount, totalRows = report.TotalRows });
            return;
        }
        try
        {
            await store.ReportStartAsync(report.Id, cancellationToken);
            var import = report.ReportType == ReportTypes.Import ? await ImportReport.LoadAsync(store, workflows, report, cancellationToken) : null;
            var (rows, total) = await GenerateAsync(job, report, import, cancellationToken);
            Log.ReportCompleted(logger, report.Id, report.ReportType, report.Format, rows);
            job.SetResult(new
            {
                reportId = report.Id, status = "completed", rowCount = rows, totalRows = total, truncated = rows < total,
                import = import?.Summary,
            });
        }
        catch (PermanentJobException ex)
        {
            await store.ReportFailAsync(report.Id, ex.Message, CancellationToken.None);
            Log.ReportFailed(logger, report.Id, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && job.Attempt >= job.MaxAttempts)
        {
            await store.ReportFailAsync(report.Id, ex.Message, CancellationToken.None);
            Log.ReportFailed(logger, report.Id, ex.Message);
            throw;
        }
    }

    /// <summary>Builds and stores the file; returns the rows it holds and the rows the report matched (more when the format caps its rows).</summary>
    private async Task<(long Rows, long Total)> GenerateAsync(JobContext<ReportGenerationArgs> job, Report report, ImportReport? import, CancellationToken ct)
    {
        var db = store.Database;
        await using var temp = new FileStream(Path.Combine(Path.GetTempPath(), $"leora-report-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        long rows = 0, inFile;
        var heading = import?.Heading(time.GetUtcNow()) ?? Heading(report.ReportType, time.GetUtcNow());
        await using (var writer = ReportFormats.Create(report.Format, temp, heading, options.Value.MaxPdfReportRows))
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            switch (report.ReportType)
            {
                case ReportTypes.Customers:
                    var total = Convert.ToInt64(await CrmCommand.ScalarAsync(connection, null, db.Sql.CustomerCount, ct), System.Globalization.CultureInfo.InvariantCulture);
                    await writer.WriteRowAsync(CustomerHeader, ct);
                    await using (var cmd = CrmCommand.Create(connection, null, db.Sql.CustomersExport))
                    await using (var reader = await cmd.ExecuteReaderAsync(ct))
                    {
                        var lastPercent = 0;
                        while (await reader.ReadAsync(ct))
                        {
                            var c = Customer.Read(reader, db);
                            await writer.WriteRowAsync(
                                [c.Id, c.Email, c.Name, c.Phone, c.Company, c.Title, c.Website, c.Industry, c.CompanySize, c.Description, c.Address,
                                 c.City, c.PostalCode, c.Region, c.Country, c.Status, c.Source, Iso(c.CreatedAt), Iso(c.UpdatedAt)], ct);
                            rows++;
                            var percent = total == 0 ? 95 : (int)(rows * 95 / total);
                            if (percent >= lastPercent + 5)
                            {
                                lastPercent = percent;
                                await job.ReportProgressAsync(percent, $"{rows} of {total} rows", ct);
                            }
                        }
                    }
                    break;
                case ReportTypes.CustomerSegments:
                    await writer.WriteRowAsync(["Region", "Status", "Source", "Customers"], ct);
                    rows = await CopyAsync(connection, db.Sql.CustomerSegments, writer, r => [r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)], ct);
                    break;
                case ReportTypes.Activity:
                    await writer.WriteRowAsync(["Day (UTC)", "Imports", "Rows inserted", "Rows updated", "Rows rejected", "Scans", "Scans completed", "Scans failed"], ct);
                    rows = await CopyAsync(connection, db.Sql.ActivityByDay, writer,
                        r => [r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)], ct);
                    break;
                case ReportTypes.Import when import is not null:
                    rows = await import.WriteAsync(store, writer, ct);
                    break;
                default:
                    throw new PermanentJobException($"Unknown report type '{report.ReportType}'.");
            }
            await writer.CompleteAsync(ct);
            inFile = writer.RowCap is { } cap ? Math.Min(rows, cap) : rows;
        }
        await job.ReportProgressAsync(97, "storing the file", ct);
        temp.Position = 0;
        await using (var connection = await db.OpenConnectionAsync(ct))
        await using (var tx = await db.BeginAsync(connection, ct))
        {
            var fileId = await files.SaveAsync(connection, tx, $"{report.ReportType}-{report.Id}.{report.Format}", ReportFormats.ContentType(report.Format), temp, ct);
            await store.ReportCompleteAsync(connection, tx, report.Id, fileId, inFile, rows, ct);
            await tx.CommitAsync(ct);
        }
        return (inFile, rows);
    }

    private static async Task<long> CopyAsync(DbConnection connection, string sql, IReportWriter writer, Func<DbDataReader, object?[]> row, CancellationToken ct)
    {
        long rows = 0;
        await using var cmd = CrmCommand.Create(connection, null, sql);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            await writer.WriteRowAsync(row(reader), ct);
            rows++;
        }
        return rows;
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
