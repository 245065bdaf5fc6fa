using Leora.Crm.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Leora CRM HTTP API.</summary>
public static class LeoraCrmEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the CRM endpoints under <paramref name="prefix"/> (default <c>/api</c>): <c>POST /scans</c>, <c>GET /scans/{id}</c>,
    /// <c>POST /reports</c>, <c>GET /reports/{id}</c>, <c>GET /reports/{id}/download</c>, <c>POST /imports</c>,
    /// <c>GET /imports/{id}</c>, <c>GET /imports/{id}/rejected</c>, <c>GET /customers/{id}</c>, <c>POST /customers/{id}/enrich</c>.
    /// Nothing is open by itself: the host adds its authorization to the returned builder
    /// (<c>.RequireAuthorization(...)</c> or an endpoint filter).
    /// </summary>
    public static RouteGroupBuilder MapLeoraCrmApi(this IEndpointRouteBuilder endpoints, string prefix = "/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).WithTags("Leora CRM");
        group.MapPost("/scans", CrmEndpoints.UploadScanAsync).DisableAntiforgery();
        group.MapGet("/scans/{id:long}", CrmEndpoints.GetScanAsync);
        group.MapPost("/reports", CrmEndpoints.CreateReportAsync);
        group.MapGet("/reports/{id:long}", CrmEndpoints.GetReportAsync);
        group.MapGet("/reports/{id:long}/download", CrmEndpoints.DownloadReportAsync);
        group.MapPost("/imports", CrmEndpoints.UploadImportAsync).DisableAntiforgery();
        group.MapGet("/imports/{id:long}", CrmEndpoints.GetImportAsync);
        group.MapGet("/imports/{id:long}/rejected", CrmEndpoints.DownloadRejectedAsync);
        group.MapGet("/customers/{id:long}", CrmEndpoints.GetCustomerAsync);
        group.MapPost("/customers/{id:long}/enrich", CrmEndpoints.EnrichCustomerAsync);
        return group;
    }
}
