using Leora.Crm.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Leora CRM HTTP API.</summary>
public static class LeoraCrmEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the CRM endpoints under <paramref name="prefix"/> (default <c>/api</c>): <c>POST /scans</c>, <c>GET /scans</c>,
    /// <c>GET /scans/{id}</c>, <c>POST /reports</c>, <c>GET /reports</c>, <c>GET /reports/{id}</c>, <c>GET /reports/{id}/download</c>,
    /// <c>POST /imports</c>, <c>GET /imports</c>, <c>GET /imports/{id}</c>, <c>GET /imports/{id}/rejected</c>, <c>GET /customers</c>,
    /// <c>GET /customers/{id}</c>, <c>PATCH /customers/{id}</c>, <c>POST /customers/{id}/enrich</c>; each with an operation id.
    /// Nothing is open by itself: the host adds its authorization to the returned builder
    /// (<c>.RequireAuthorization(...)</c> or an endpoint filter).
    /// </summary>
    public static RouteGroupBuilder MapLeoraCrmApi(this IEndpointRouteBuilder endpoints, string prefix = "/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Leora CRM");
        group.MapPost("/scans", CrmEndpoints.UploadScanAsync).DisableAntiforgery()
            .WithName("CreateScan").WithSummary("Start a scan of an uploaded image (multipart 'image') or of an image URL (JSON or multipart 'imageUrl')")
            // One Accepts: routing keeps the last one only, and answers 415 to the other content types.
            .Accepts<ScanFromUrlRequest>("application/json", "multipart/form-data")
            .Produces<ScanAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/scans", CrmFindEndpoints.ListScansAsync)
            .WithName("ListScans").WithSummary("List scans, newest first, with their jobs and retry state")
            .Produces<Page<ScanView>>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/scans/{id:long}", CrmEndpoints.GetScanAsync)
            .WithName("GetScan").WithSummary("A scan: status, data read from the image, retry state")
            .Produces<ScanView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/reports", CrmEndpoints.CreateReportAsync).WithName("CreateReport").WithSummary("Start a report")
            .Accepts<ReportRequest>("application/json")
            .Produces<ReportAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/reports", CrmFindEndpoints.ListReportsAsync)
            .WithName("ListReports").WithSummary("List reports, newest first, with their jobs")
            .Produces<Page<ReportView>>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/reports/{id:long}", CrmEndpoints.GetReportAsync).WithName("GetReport").WithSummary("A report's status")
            .Produces<ReportStatusView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/reports/{id:long}/download", CrmEndpoints.DownloadReportAsync).WithName("DownloadReport").WithSummary("A completed report's file")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/imports", CrmEndpoints.UploadImportAsync).DisableAntiforgery().WithName("CreateImport").WithSummary("Import customers from a CSV or XLSX file (multipart 'file')")
            .Produces<ImportAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/imports", CrmFindEndpoints.ListImportsAsync)
            .WithName("ListImports").WithSummary("List imports, newest first, with their jobs")
            .Produces<Page<ImportView>>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/imports/{id:long}", CrmEndpoints.GetImportAsync).WithName("GetImport").WithSummary("An import's status and counts")
            .Produces<ImportStatusView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/imports/{id:long}/rejected", CrmEndpoints.DownloadRejectedAsync).WithName("DownloadRejectedRows").WithSummary("An import's rejected rows as CSV")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/customers", CrmFindEndpoints.ListCustomersAsync)
            .WithName("ListCustomers").WithSummary("List and search customers (q: part of the e-mail, name or company; email: exact; name; company), in id order")
            .Produces<Page<CustomerView>>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/customers/{id:long}", CrmEndpoints.GetCustomerAsync)
            .WithName("GetCustomer").WithSummary("A customer, with the fields a person entered or edited and its enrichments")
            .Produces<CustomerView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/customers/{id:long}", CrmFindEndpoints.UpdateCustomerAsync)
            .WithName("UpdateCustomer").WithSummary("Edit a customer; the fields sent are marked as edited by a person, which imports and enrichment then keep")
            .Accepts<CustomerPatch>("application/json")
            .Produces<CustomerView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/customers/{id:long}/enrich", CrmEndpoints.EnrichCustomerAsync).WithName("EnrichCustomer").WithSummary("Start enriching a customer")
            .Produces<EnrichmentAccepted>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }
}
