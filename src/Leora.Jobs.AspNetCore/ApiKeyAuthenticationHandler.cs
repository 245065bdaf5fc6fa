using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// Authenticates a request by API key, from <c>x-api-key: key</c> or <c>Authorization: Bearer key</c>. When both are
/// sent, both must be valid keys (conflicting credentials are refused rather than one silently winning).
/// With no key configured every request fails (fail closed). Keys are never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRing ring,
    IOptionsMonitor<LeoraJobsApiOptions> api,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string HeaderName = "x-api-key";
    internal const string NoKeyConfigured = "No API key is configured on the server, so every request is refused. Set JOB_PROCESSOR_API_KEY or Jobs:ApiKeys.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = new List<string>(2);
        var apiKey = Request.Headers[HeaderName];
        if (apiKey.Count > 1) return Task.FromResult(AuthenticateResult.Fail("Send one x-api-key header."));
        if (apiKey.Count == 1) presented.Add(apiKey[0] ?? "");

        var authorization = Request.Headers.Authorization;
        if (authorization.Count > 1) return Task.FromResult(AuthenticateResult.Fail("Send one Authorization header."));
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            presented.Add(value["Bearer ".Length..].Trim());

        if (presented.Count == 0) return Task.FromResult(AuthenticateResult.NoResult());
        var keys = Keys;
        if (keys.FullCount == 0) return Task.FromResult(AuthenticateResult.Fail(NoKeyConfigured));
        // Every presented key is checked (no short-circuit), so the time taken does not tell which one was wrong.
        var allValid = true;
        foreach (var key in presented) allValid &= key.Length > 0 && keys.Match(ApiKeySet.Digest(key)).Full;
        if (!allValid) return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key")], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    private ApiKeySet Keys => ring.ApiKeys(api.CurrentValue);

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = Keys.FullCount == 0 ? NoKeyConfigured
            : result.Failure?.Message ?? "An API key is required: send x-api-key: <key> or Authorization: Bearer <key>.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "This API key may not call this endpoint.");
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        var written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
        if (!written) await Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(Context);
    }
}
