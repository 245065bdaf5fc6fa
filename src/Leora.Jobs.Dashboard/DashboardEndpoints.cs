using System.Security.Claims;
using System.Text.Json;
using Leora.Jobs.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The dashboard's endpoints: the page and its assets, and the small JSON API its script calls. Every response
/// carries the security headers; data endpoints need a signed-in user; state-changing ones also need a user who may
/// act and a valid anti-forgery token.
/// </summary>
internal static partial class DashboardEndpoints
{
    private const int MaxBodyBytes = 1024 * 1024;

    // default-src 'self' with no 'unsafe-inline': the page runs only its own script file, and job data can never run as code.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    public static void Map(RouteGroupBuilder group, string basePath)
    {
        group.AddEndpointFilter(SecurityHeaders);
        group.ExcludeFromDescription();

        group.MapGet("/", PageAsync);
        group.MapGet("/assets/{name}", AssetAsync);

        var api = group.MapGroup("/api");
        api.AddEndpointFilter(NoStore);
        api.MapGet("/session", Session);
        // Two parameters: a lambda of HttpContext alone would bind to the RequestDelegate overload and drop the result.
        api.MapPost("/signin", (HttpContext c, DashboardAuth auth) => SignInAsync(c, auth, basePath)).AddEndpointFilter(Antiforgery);
        api.MapPost("/signout", (HttpContext c, DashboardAuth auth) => SignOutAsync(c, auth, basePath)).AddEndpointFilter(Antiforgery);

        api.MapGet("/overview", OverviewAsync).AddEndpointFilter(Viewer);
        api.MapGet("/throughput", ThroughputAsync).AddEndpointFilter(Viewer);
        api.MapGet("/history", HistoryAsync).AddEndpointFilter(Viewer);
        api.MapGet("/nodes", NodesAsync).AddEndpointFilter(Viewer);
        api.MapGet("/types", Types).AddEndpointFilter(Viewer);
        api.MapGet("/jobs", ListAsync).AddEndpointFilter(Viewer);
        api.MapGet("/jobs/{id:long}", GetAsync).AddEndpointFilter(Viewer);
        api.MapGet("/jobs/{id:long}/timeline", TimelineAsync).AddEndpointFilter(Viewer);
        api.MapGet("/jobs/{id:long}/workflow", JobWorkflowAsync).AddEndpointFilter(Viewer);
        api.MapGet("/batches", BatchesAsync).AddEndpointFilter(Viewer);
        api.MapGet("/batches/{id:long}", BatchAsync).AddEndpointFilter(Viewer);
        api.MapGet("/batches/{id:long}/jobs", BatchJobsAsync).AddEndpointFilter(Viewer);

        api.MapPost("/jobs", EnqueueAsync).AddEndpointFilter(Operator);
        api.MapPost("/jobs/{id:long}/retry", RetryAsync).AddEndpointFilter(Operator);
        api.MapPost("/jobs/{id:long}/cancel", CancelAsync).AddEndpointFilter(Operator);
        api.MapDelete("/jobs/{id:long}", DeleteAsync).AddEndpointFilter(Operator);
        api.MapPost("/jobs/{id:long}/run-now", RunNowAsync).AddEndpointFilter(Operator);
        api.MapPost("/jobs/bulk", BulkAsync).AddEndpointFilter(Operator);
        api.MapPost("/failed/retry-all", RetryAllAsync).AddEndpointFilter(Operator);
        api.MapPost("/cleanup", CleanupAsync).AddEndpointFilter(Operator);
        api.MapPost("/batches/{id:long}/cancel", BatchCancelAsync).AddEndpointFilter(Operator);

        api.MapGet("/schedules", SchedulesAsync).AddEndpointFilter(Viewer);
        api.MapPost("/schedules/{name}/enable", ScheduleEnableAsync).AddEndpointFilter(Operator);
        api.MapPost("/schedules/{name}/disable", ScheduleDisableAsync).AddEndpointFilter(Operator);
        api.MapPost("/schedules/{name}/trigger", ScheduleTriggerAsync).AddEndpointFilter(Operator);

        api.MapGet("/queues", QueuesAsync).AddEndpointFilter(Viewer);
        api.MapGet("/jobtypes", JobTypesAsync).AddEndpointFilter(Viewer);
        api.MapGet("/pauses", PausesAsync).AddEndpointFilter(Viewer);
        api.MapPost("/pauses/{scope}/{name}/pause", PauseAsync).AddEndpointFilter(Operator);
        api.MapPost("/pauses/{scope}/{name}/resume", ResumeAsync).AddEndpointFilter(Operator);
        api.MapGet("/alerts", AlertsAsync).AddEndpointFilter(Viewer);
        api.MapPost("/alerts/channels/{channel}/test", AlertTestAsync).AddEndpointFilter(Operator);

        // Everything else under the prefix: a 404 that still carries the security headers (without this route the
        // request would fall out of the group, past its filters). A catch-all has the lowest precedence, so any route
        // the host maps under the same prefix still wins.
        group.Map("/{**rest}", () => Problem(StatusCodes.Status404NotFound, "Not found", "The jobs dashboard has no such page or endpoint."));
    }

    private static async Task PageAsync(HttpContext context, DashboardAssets assets, DashboardAuth auth)
    {
        // The page's relative links (assets/…, api/…) need the trailing slash.
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            context.Response.Redirect(context.Request.PathBase + context.Request.Path + "/" + context.Request.QueryString);
            return;
        }
        if (auth.HostMode && await auth.AuthenticateAsync(context) is null)
        {
            // The host's authentication decides how to sign in (a login page, a single sign-on redirect).
            if (context.User.Identity?.IsAuthenticated == true) await context.ForbidAsync();
            else await context.ChallengeAsync();
            return;
        }
        await DashboardAssets.WriteAsync(context, assets.Page, immutable: false);
    }

    private static Task AssetAsync(HttpContext context, string name, DashboardAssets assets)
    {
        if (!assets.TryGet(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return DashboardAssets.WriteAsync(context, asset, immutable: context.Request.Query.ContainsKey("v"));
    }

    private static async Task<IResult> Session(HttpContext context, DashboardAuth auth, DashboardKeys keys, IAntiforgery antiforgery,
        IOptions<AntiforgeryOptions> antiforgeryOptions, IOptions<JobsDashboardOptions> options)
    {
        var user = await auth.AuthenticateAsync(context);
        // The token is issued to the session (or to nobody before sign-in): it is good only with this session's cookie.
        var tokens = AsAntiforgeryUser(context, auth.AntiforgeryPrincipal(context, user), () => antiforgery.GetAndStoreTokens(context));
        var o = options.Value;
        return Json(new SessionDto(user is not null, user?.ReadOnly ?? false, user?.Name, auth.HostMode ? "host" : "key",
            auth.HostMode || keys.AnyConfigured, antiforgeryOptions.Value.HeaderName ?? "RequestVerificationToken", tokens.RequestToken ?? "",
            (int)o.PollInterval.TotalMilliseconds, o.Title, o.RetryAllLimit));
    }

    private static async Task<IResult> SignInAsync(HttpContext context, DashboardAuth auth, string basePath)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILogger<DashboardAuth>>();
        if (auth.HostMode) return Problem(StatusCodes.Status400BadRequest, "Sign-in is the host's", "This dashboard uses the host's sign-in, not API keys.");
        var remote = context.Connection.RemoteIpAddress?.ToString();
        // Before the key is read: a limited address learns nothing about its guesses.
        if (services.GetRequiredService<SignInThrottle>().TryAttempt(context.Connection.RemoteIpAddress) is { } refusal)
        {
            var seconds = Math.Max(1, (long)Math.Ceiling(refusal.Wait.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (refusal.First)
            {
                var o = services.GetRequiredService<IOptions<JobsDashboardOptions>>().Value;
                Log.SignInThrottled(logger, remote, o.SignInAttemptLimit, o.SignInAttemptWindow, refusal.Until);
            }
            return Problem(StatusCodes.Status429TooManyRequests, "Too many sign-in attempts",
                $"Too many sign-in attempts from this address. Try again in {seconds} s.");
        }
        var (body, problem) = await ReadAsync<SignInRequest>(context);
        if (problem is not null) return problem;
        if (string.IsNullOrEmpty(body!.Key) || body.Key.Length > 1024)
            return Problem(StatusCodes.Status400BadRequest, "Key required", "Enter an API key.", "key");
        if (!services.GetRequiredService<DashboardKeys>().AnyConfigured) Log.NoKeysConfigured(logger);
        var user = auth.SignIn(context, body.Key, CookiePath(context, basePath));
        if (user is null)
        {
            Log.SignInRefused(logger, remote);
            return Problem(StatusCodes.Status401Unauthorized, "Wrong key", "That key is not one of the configured API keys.", "key");
        }
        Log.SignedIn(logger, user.ReadOnly ? "read-only" : "full", remote);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, DashboardAuth auth, string basePath)
    {
        await auth.SignOutAsync(context, CookiePath(context, basePath));
        return TypedResults.NoContent();
    }

    private static string CookiePath(HttpContext context, string basePath)
    {
        var path = (context.Request.PathBase + new PathString("/" + basePath.Trim('/'))).Value!;
        return path.Length > 1 ? path.TrimEnd('/') : "/";
    }

    private static ValueTask<object?> SecurityHeaders(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var headers = invocation.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        return next(invocation);
    }

    private static ValueTask<object?> NoStore(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        invocation.HttpContext.Response.Headers.CacheControl = "no-store";
        return next(invocation);
    }

    private static async ValueTask<object?> Viewer(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var user = await context.RequestServices.GetRequiredService<DashboardAuth>().AuthenticateAsync(context);
        if (user is null) return Unauthenticated(context);
        context.Items[typeof(DashboardUser)] = user;
        return await next(invocation);
    }

    private static async ValueTask<object?> Operator(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var auth = context.RequestServices.GetRequiredService<DashboardAuth>();
        var user = await auth.AuthenticateAsync(context);
        if (user is null) return Unauthenticated(context);
        if (user.ReadOnly) return Problem(StatusCodes.Status403Forbidden, "Read-only", "This sign-in may look but not act.");
        context.Items[typeof(DashboardUser)] = user;
        return await AntiforgeryValidAsync(context, auth, user) is { } refused ? refused : await next(invocation);
    }

    // Sign-in and sign-out: no signed-in user is needed, but the token is.
    private static async ValueTask<object?> Antiforgery(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var auth = context.RequestServices.GetRequiredService<DashboardAuth>();
        var user = await auth.AuthenticateAsync(context);
        return await AntiforgeryValidAsync(context, auth, user) is { } refused ? refused : await next(invocation);
    }

    /// <summary>
    /// Null when the request carries a valid anti-forgery token for <paramref name="user"/>'s session, else the 400 to
    /// answer. The token is read from the header only: ASP.NET Core would also take a form field, and a form is what a
    /// cross-site page can send.
    /// </summary>
    private static async Task<ProblemHttpResult?> AntiforgeryValidAsync(HttpContext context, DashboardAuth auth, DashboardUser? user)
    {
        var services = context.RequestServices;
        var header = services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.HeaderName ?? "RequestVerificationToken";
        var antiforgery = services.GetRequiredService<IAntiforgery>();
        if (!StringValues.IsNullOrEmpty(context.Request.Headers[header])
            && await AsAntiforgeryUserAsync(context, auth.AntiforgeryPrincipal(context, user), () => antiforgery.IsRequestValidAsync(context)))
            return null;
        Log.AntiforgeryRefused(services.GetRequiredService<ILogger<DashboardAuth>>(), context.Request.Method, context.Connection.RemoteIpAddress?.ToString());
        return Problem(StatusCodes.Status400BadRequest, "Anti-forgery token missing or invalid",
            $"Reload the dashboard and try again: state-changing requests need this session's anti-forgery token in the {header} header.");
    }

    // ASP.NET Core's anti-forgery binds a token to HttpContext.User; the dashboard's user is its own session, so it stands
    // in for the call and the host's user is put back afterwards.
    private static T AsAntiforgeryUser<T>(HttpContext context, ClaimsPrincipal principal, Func<T> call)
    {
        var host = context.User;
        context.User = principal;
        try { return call(); }
        finally { context.User = host; }
    }

    private static async Task<T> AsAntiforgeryUserAsync<T>(HttpContext context, ClaimsPrincipal principal, Func<Task<T>> call)
    {
        var host = context.User;
        context.User = principal;
        try { return await call(); }
        finally { context.User = host; }
    }

    private static ProblemHttpResult Unauthenticated(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.RequestServices.GetRequiredService<DashboardAuth>().HostMode
            ? Problem(StatusCodes.Status403Forbidden, "Forbidden", "Your account may not use the jobs dashboard.")
            : Problem(StatusCodes.Status401Unauthorized, "Sign in first", "Sign in to the jobs dashboard.");

    private static DashboardUser User(HttpContext context) => (DashboardUser)context.Items[typeof(DashboardUser)]!;

    private static JsonHttpResult<T> Json<T>(T value, int? status = null) => TypedResults.Json(value, DashboardJson.Options, statusCode: status);

    private static ProblemHttpResult Problem(int status, string title, string detail, string? field = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });

    /// <summary>Reads a JSON body: 415 unless JSON, 413 when larger than 1 MB, 400 when it does not parse.</summary>
    private static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpContext context) where T : class
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "JSON expected", "Send the body as application/json."));
        try
        {
            if (await RequestBody.ReadAsync(request, MaxBodyBytes, context.RequestAborted) is not { } body)
                return (null, Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", "The body may be at most 1 MB."));
            // Read as a stream, as the dashboard always has: a stream read skips a UTF-8 byte order mark.
            using var limited = new MemoryStream(body, writable: false);
            var value = await JsonSerializer.DeserializeAsync<T>(limited, DashboardJson.Options, context.RequestAborted);
            return value is null
                ? (null, Problem(StatusCodes.Status400BadRequest, "Body required", "Send a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is null or "$" ? null : ex.Path.TrimStart('$', '.');
            return (null, Problem(StatusCodes.Status400BadRequest, "Invalid JSON", "The body is not valid JSON for this request.", field));
        }
    }
}
