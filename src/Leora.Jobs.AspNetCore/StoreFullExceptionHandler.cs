using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Answers a request that failed because the jobs database's disk is full (<see cref="JobStoreFullException"/>, from any
/// endpoint: the API, the dashboard, the CRM) with 507 Insufficient Storage as problem+json instead of a bare 500. The
/// answer does not show the database's path; the log does. Registered by <c>AddLeoraJobsApi()</c>; it takes part where the
/// host calls <c>UseExceptionHandler()</c>, as the <c>leora-jobs</c> service does.
/// </summary>
internal sealed class StoreFullExceptionHandler(ILogger<StoreFullExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var full = exception;
        while (full is not null and not JobStoreFullException) full = full.InnerException;
        if (full is null) return false;
        Log.StoreFull(logger, full, httpContext.Request.Method, httpContext.Request.Path);
        await TypedResults.Problem(
            "The jobs database's disk is full: nothing of this request was stored. Free space on the volume that holds the database, then retry.",
            statusCode: StatusCodes.Status507InsufficientStorage,
            title: "Insufficient storage").ExecuteAsync(httpContext);
        return true;
    }
}
