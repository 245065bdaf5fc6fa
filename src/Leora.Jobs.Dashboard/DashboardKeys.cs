using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The API keys that may sign in: the job service's own (<c>JOB_PROCESSOR_API_KEY</c>, <c>Jobs:ApiKeys</c>) and
/// the read-only ones (<c>Jobs:Dashboard:ReadOnlyKeys</c>), read from configuration on every use so that a rotated
/// key takes effect without a restart. Keys are only ever compared as SHA-256 digests, in constant time.
/// </summary>
internal sealed class DashboardKeys(IConfiguration configuration, IOptions<JobsDashboardOptions> options)
{
    public const string EnvironmentKey = "JOB_PROCESSOR_API_KEY";
    public const string ApiKeysSection = "Jobs:ApiKeys";
    public const string ReadOnlyKeysSection = "Jobs:Dashboard:ReadOnlyKeys";

    /// <summary>Whether any key is configured (without one, nobody can sign in).</summary>
    public bool AnyConfigured => Full().Any() || ReadOnly().Any();

    /// <summary>Finds <paramref name="key"/>; returns its digest and whether it is read-only, or null when it is no key.</summary>
    public (byte[] Digest, bool ReadOnly)? Match(string key)
    {
        var digest = Digest(key);
        var full = Contains(Full(), digest);
        var readOnly = Contains(ReadOnly(), digest);
        if (!full && !readOnly) return null;
        return (digest, readOnly);
    }

    /// <summary>For a session: whether the key with <paramref name="digest"/> is still configured, and whether it is read-only now.</summary>
    public (bool Valid, bool ReadOnly) Check(byte[] digest)
    {
        var full = Contains(Full(), digest);
        var readOnly = Contains(ReadOnly(), digest);
        return (full || readOnly, readOnly);
    }

    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    // Compares against every key without stopping at a match, so the time taken says nothing about which key matched.
    private static bool Contains(IEnumerable<string> keys, byte[] digest)
    {
        var found = false;
        foreach (var k in keys)
            found |= CryptographicOperations.FixedTimeEquals(Digest(k), digest);
        return found;
    }

    private IEnumerable<string> Full() =>
        // JOB_PROCESSOR_API_KEY is one key, taken whole as the HTTP API takes it; the lists may be comma-separated.
        (configuration[EnvironmentKey] is { Length: > 0 } single && !string.IsNullOrWhiteSpace(single) ? [single.Trim()] : Array.Empty<string>())
            .Concat(Section(ApiKeysSection))
            .Concat(options.Value.ApiKeys.SelectMany(Split));

    private IEnumerable<string> ReadOnly() =>
        Section(ReadOnlyKeysSection).Concat(options.Value.ReadOnlyKeys.SelectMany(Split));

    // A section is either a list (Jobs:ApiKeys:0, :1 …, as JSON arrays bind) or one comma-separated string (as an environment variable).
    private IEnumerable<string> Section(string name)
    {
        var section = configuration.GetSection(name);
        return Split(section.Value).Concat(section.GetChildren().SelectMany(c => Split(c.Value)));
    }

    private static IEnumerable<string> Split(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
