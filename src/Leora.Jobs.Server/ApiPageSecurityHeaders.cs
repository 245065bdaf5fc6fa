using Scalar.AspNetCore;

namespace Leora.Jobs.Server;

/// <summary>
/// The security headers of the API page (<c>/scalar/…</c>, Scalar's page and its scripts) and the OpenAPI document,
/// on every answer there, 404s included: a Content-Security-Policy, <c>X-Frame-Options: DENY</c>,
/// <c>X-Content-Type-Options: nosniff</c> and <c>Referrer-Policy: no-referrer</c>. The dashboard sets its own.
/// </summary>
internal static class ApiPageSecurityHeaders
{
    // Scalar starts itself with one inline module script: it carries a fresh nonce on each request (WithNonce), and only
    // that nonce and the service's own files may run. Scalar's bundle injects <style> elements, hence 'unsafe-inline' for
    // styles only (no script can run from a style). The "Test request" panel calls the API on this origin (connect-src).
    private const string Policy =
        "default-src 'self'; script-src 'self' 'nonce-{0}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    // Without a nonce (the scripts, a 404, the OpenAPI document) nothing inline may run at all.
    private const string PolicyWithoutNonce =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    public static bool Applies(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/scalar", StringComparison.OrdinalIgnoreCase)
        || context.Request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);

    /// <summary>Middleware: sets the headers when the answer starts, once Scalar has chosen the request's nonce.</summary>
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!Applies(context)) return next(context);
        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Items.TryGetValue(ScalarOptions.NonceHttpContextItemKey, out var nonce) && nonce is string { Length: > 0 } n
                ? string.Format(System.Globalization.CultureInfo.InvariantCulture, Policy, n)
                : PolicyWithoutNonce;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
