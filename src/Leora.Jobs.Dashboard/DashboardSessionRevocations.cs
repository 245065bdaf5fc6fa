using Microsoft.Extensions.Caching.Distributed;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The API-key sessions signed out before they expired, kept in the host's <see cref="IDistributedCache"/> until the
/// session would have expired anyway. The session cookie is a self-contained ticket, so without this list a copy of the
/// cookie taken before sign-out would keep working until its expiry. The default cache
/// (<c>AddDistributedMemoryCache</c>) holds the list in this process: a session signed out here still works on another
/// instance, and again here after a restart, until it expires. A host that runs several instances registers a shared
/// cache (Redis, SQL Server, PostgreSQL) and every instance then refuses it.
/// </summary>
internal sealed class DashboardSessionRevocations(IDistributedCache cache, TimeProvider time)
{
    private const string Prefix = "Leora.Jobs.Dashboard.RevokedSession:";
    private static readonly byte[] Marker = [1];

    /// <summary>Refuses session <paramref name="sessionId"/> from now until <paramref name="expires"/>, when its ticket dies on its own.</summary>
    public Task RevokeAsync(string sessionId, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        // Relative, not absolute: the cache may keep time by another clock than the dashboard's TimeProvider.
        var left = expires - time.GetUtcNow();
        if (left <= TimeSpan.Zero) return Task.CompletedTask;
        return cache.SetAsync(Prefix + sessionId, Marker, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = left }, cancellationToken);
    }

    public async Task<bool> IsRevokedAsync(string sessionId, CancellationToken cancellationToken) =>
        await cache.GetAsync(Prefix + sessionId, cancellationToken) is not null;
}
