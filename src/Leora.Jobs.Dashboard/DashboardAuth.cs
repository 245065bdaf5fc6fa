using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// Decides who a request comes from: in API-key mode from the session cookie (a data-protected ticket holding the
/// key's SHA-256 digest and an expiry, never the key), in host mode from the host's authorization policy.
/// A session dies when it expires, on sign-out, or when its key is removed from configuration.
/// </summary>
internal sealed class DashboardAuth(
    IOptions<JobsDashboardOptions> options,
    DashboardKeys keys,
    IDataProtectionProvider protection,
    IAuthorizationService authorization,
    TimeProvider time)
{
    public const string CookieName = ".Leora.Jobs.Dashboard";
    private const string Version = "1";
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
        if (!context.Request.Cookies.TryGetValue(CookieName, out var cookie) || string.IsNullOrEmpty(cookie)) return null;
        string ticket;
        try { ticket = _protector.Unprotect(cookie); }
        catch (CryptographicException) { return null; }
        var parts = ticket.Split('|');
        if (parts.Length != 3 || parts[0] != Version) return null;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || time.GetUtcNow().ToUnixTimeSeconds() >= expires) return null;
        byte[] digest;
        try { digest = Convert.FromBase64String(parts[2]); }
        catch (FormatException) { return null; }
        var (valid, readOnly) = keys.Check(digest);
        if (!valid) return null;
        readOnly |= o.ReadOnly;
        return new DashboardUser(readOnly ? "read-only key" : "API key", readOnly);
    }

    /// <summary>Signs in with <paramref name="key"/>: sets the session cookie and returns the user, or null for a wrong key.</summary>
    public DashboardUser? SignIn(HttpContext context, string key, string cookiePath)
    {
        if (keys.Match(key) is not { } match) return null;
        var lifetime = options.Value.SessionLifetime;
        var expires = time.GetUtcNow() + lifetime;
        var ticket = string.Join('|', Version, expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(match.Digest));
        context.Response.Cookies.Append(CookieName, _protector.Protect(ticket), CookieOptions(context, cookiePath, expires));
        var readOnly = match.ReadOnly || options.Value.ReadOnly;
        return new DashboardUser(readOnly ? "read-only key" : "API key", readOnly);
    }

    public static void SignOut(HttpContext context, string cookiePath) =>
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, cookiePath, null));

    private static CookieOptions CookieOptions(HttpContext context, string path, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = path,
        Expires = expires,
        IsEssential = true,
    };
}
