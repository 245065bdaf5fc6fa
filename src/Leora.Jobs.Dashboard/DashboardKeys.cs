using Leora.Jobs.AspNetCore;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The keys that may sign in to the dashboard: those of the shared key ring (<c>JOB_PROCESSOR_API_KEY</c>,
/// <c>Jobs:ApiKeys</c>, and the read-only <c>Jobs:Dashboard:ReadOnlyKeys</c>; see <see cref="ApiKeyRing"/>) and those
/// the host added to <see cref="JobsDashboardOptions"/>. Asked on every sign-in and request, so a rotated key takes
/// effect without a restart. A key listed both as a full and as a read-only key is read-only.
/// </summary>
internal sealed class DashboardKeys(ApiKeyRing ring, IOptions<JobsDashboardOptions> options)
{
    /// <summary>Whether any key is configured (without one, nobody can sign in).</summary>
    public bool AnyConfigured => Current.Count > 0;

    /// <summary>Finds <paramref name="key"/>; returns its digest and whether it is read-only, or null when it is no key.</summary>
    public (byte[] Digest, bool ReadOnly)? Match(string key)
    {
        var digest = ApiKeySet.Digest(key);
        var (valid, readOnly) = Check(digest);
        return valid ? (digest, readOnly) : null;
    }

    /// <summary>For a session: whether the key with <paramref name="digest"/> is still configured, and whether it is read-only now.</summary>
    public (bool Valid, bool ReadOnly) Check(byte[] digest)
    {
        var (full, readOnly) = Current.Match(digest);
        return (full || readOnly, readOnly);
    }

    private ApiKeySet Current => ring.Current.With(options.Value.ApiKeys, options.Value.ReadOnlyKeys);
}
