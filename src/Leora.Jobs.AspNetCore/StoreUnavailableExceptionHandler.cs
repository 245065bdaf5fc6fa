using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Answers a request that failed because the jobs database could not be reached for a moment (a PostgreSQL restart or
/// failover, a connection reset, SQLite's write lock held past the busy timeout) with 503 Service Unavailable and
/// <c>Retry-After</c> as problem+json instead of a 500, so that a client retries instead of giving up or, worse, taking
/// a 500 for "not stored" when its enqueue had committed. The stores turn such failures into
/// <see cref="JobStoreUnavailableException"/>; a driver error of the same kind that reached here another way (a
/// connection opened outside the store's statements) is recognised by its SQLSTATE or the driver's own
/// <see cref="DbException.IsTransient"/>. The answer names no host, port or file; the log has the reason.
/// </summary>
internal sealed class StoreUnavailableExceptionHandler(ILogger<StoreUnavailableExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client should wait before it retries: a PostgreSQL restart takes a few, a failover up to 30.</summary>
    internal const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Find(exception) is not { } cause) return false;
        Log.StoreUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, Reason(cause));
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            "The jobs database could not be reached for a moment (restarting, failing over or busy). Retry after a few seconds. " +
            "A write that failed this way may or may not have been stored: retry an enqueue with the same idempotencyKey and it is stored once.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Database unavailable").ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>The failure in <paramref name="exception"/>'s chain that says the database could not be reached, if any.</summary>
    internal static Exception? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is JobStoreUnavailableException) return e;
            if (e is DbException db && IsTransient(db)) return e;
        }
        return null;
    }

    // Class 08: connection exceptions; 57P01–57P03: the server is shutting down or starting; 53300: too many connections.
    // A statement error (a constraint, a type) is not transient and stays a 500 or the endpoint's own 4xx.
    private static bool IsTransient(DbException db) =>
        db.SqlState is { Length: 5 } state
            ? state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" or "53300"
            : db.IsTransient;

    private static string Reason(Exception cause) => cause switch
    {
        JobStoreUnavailableException { InnerException: DbException { SqlState: { } state } } => $"SQLSTATE {state}",
        JobStoreUnavailableException { InnerException: { } inner } => inner.GetType().Name,
        DbException { SqlState: { } state } => $"SQLSTATE {state}",
        _ => cause.GetType().Name,
    };
}
