using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// Decides who a request comes from: in API-key mode from the session cookie (a data-protected ticket holding a random
/// session id, the key's SHA-256 digest and an expiry, never the key), in host mode from the host's authorization policy.
/// A session dies when it expires, on sign-out (its id is revoked on the server, <see cref="DashboardSessionRevocations"/>),
/// or when its key is removed from configuration.
/// </summary>
internal sealed class DashboardAuth(
    IOptions<JobsDashboardOptions> options,
    DashboardKeys keys,
    DashboardSessionRevocations revocations,
    IDataProtectionProvider protection,
    IAuthorizationService authorization,
    TimeProvider time)
{
    public const string CookieName = ".Leora.Jobs.Dashboard";
    // Version 2 added the session id; a version 1 cookie (no id, so it could not be revoked) signs its holder out.
    private const string Version = "2";
    private const string SessionAuthenticationType = "Leora.Jobs.Dashboard.Session";
    private readonly IDataProtector _protector = protection.CreateProtector("Leora.Jobs.Dashboard.Session.v1");

    public bool HostMode => options.Value.AuthorizationPolicy is not null;

    /// <summary>The signed-in user, or null.</summary>
    public async Task<DashboardUser?> AuthenticateAsync(HttpContext context)
    {
        var o = options.Value;
        if (o.AuthorizationPolicy is { } policy)
        {
            if (!(await authorization.AuthorizeAsync(context.User, policy)).Succeeded) return null;
            var canAct = !o.ReadOnly && (o.ActionPolicy is not { } act || (await authorization.AuthorizeAsync(context.User, act)).Succeeded);
            return new DashboardUser(context.User.Identity?.Name ?? "signed-in user", !canAct);
        }
        if (ReadTicket(context) is not { } ticket) return null;
        var (valid, readOnly) = keys.Check(ticket.Digest);
        if (!valid || await revocations.IsRevokedAsync(ticket.SessionId, context.RequestAborted)) return null;
        readOnly |= o.ReadOnly;
        return new DashboardUser(readOnly ? "read-only key" : "API key", readOnly, ticket.SessionId);
    }

    /// <summary>Signs in with <paramref name="key"/>: sets the session cookie and returns the user, or null for a wrong key.</summary>
    public DashboardUser? SignIn(HttpContext context, string key, string cookiePath)
    {
        if (keys.Match(key) is not { } match) return null;
        var lifetime = options.Value.SessionLifetime;
        var expires = time.GetUtcNow() + lifetime;
        var sessionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var ticket = string.Join('|', Version, expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            Convert.ToBase64String(match.Digest), sessionId);
        context.Response.Cookies.Append(CookieName, _protector.Protect(ticket), CookieOptions(context, cookiePath, expires));
        var readOnly = match.ReadOnly || options.Value.ReadOnly;
        return new DashboardUser(readOnly ? "read-only key" : "API key", readOnly, sessionId);
    }

    /// <summary>
    /// Ends the session: revokes its id on the server, so that a copy of the cookie is refused too, then deletes the
    /// cookie. Only a ticket this dashboard issued and that has not expired is recorded (nothing to keep otherwise).
    /// </summary>
    public async Task SignOutAsync(HttpContext context, string cookiePath)
    {
        if (ReadTicket(context) is { } ticket) await revocations.RevokeAsync(ticket.SessionId, ticket.Expires, context.RequestAborted);
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, cookiePath, null));
    }

    /// <summary>
    /// Whom the anti-forgery token is issued to and checked against. In API-key mode, the session: a token is then good
    /// only with the session cookie it was issued with (a token fetched anonymously, or in another session, is refused);
    /// before sign-in, nobody (the host's own user plays no part in API-key mode). In host mode, the host's user.
    /// </summary>
    public ClaimsPrincipal AntiforgeryPrincipal(HttpContext context, DashboardUser? user) =>
        HostMode ? context.User
        : user?.SessionId is { } id ? new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], SessionAuthenticationType))
        : new ClaimsPrincipal(new ClaimsIdentity());

    // The session cookie's ticket when it is one of ours, well-formed and not expired; the key is checked by the caller.
    private Ticket? ReadTicket(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var cookie) || string.IsNullOrEmpty(cookie)) return null;
        string text;
        try { text = _protector.Unprotect(cookie); }
        catch (CryptographicException) { return null; }
        var parts = text.Split('|');
        if (parts.Length != 4 || parts[0] != Version || parts[3].Length != 32) return null;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return null;
        var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (time.GetUtcNow() >= expires) return null;
        byte[] digest;
        try { digest = Convert.FromBase64String(parts[2]); }
        catch (FormatException) { return null; }
        return new Ticket(expires, digest, parts[3]);
    }

    private static CookieOptions CookieOptions(HttpContext context, string path, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = path,
        Expires = expires,
        IsEssential = true,
    };

    private sealed record Ticket(DateTimeOffset Expires, byte[] Digest, string SessionId);
}
