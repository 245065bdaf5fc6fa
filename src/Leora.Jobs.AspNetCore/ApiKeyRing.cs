using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The API keys in configuration, read here and nowhere else: the HTTP API's authentication and the dashboard's
/// sign-in both ask this ring. Forms, as docs/configuration.md and docs/dashboard.md list them:
/// <list type="bullet">
/// <item><c>JOB_PROCESSOR_API_KEY</c>: one key, taken whole (trimmed).</item>
/// <item><c>Jobs:ApiKeys</c>: a list (<c>Jobs:ApiKeys:0</c>, <c>:1</c> …, each entry one key) or one comma-separated value.</item>
/// <item><c>Jobs:Dashboard:ReadOnlyKeys</c>: the same forms; keys that may sign in to the dashboard and look, never act
/// (the HTTP API does not accept them).</item>
/// </list>
/// The ring holds SHA-256 digests only (see <see cref="ApiKeySet"/>) and reads configuration again after it reloads, so a
/// rotated key takes effect without a restart. Keys are never logged.
/// </summary>
internal sealed class ApiKeyRing(IConfiguration? configuration)
{
    public const string EnvironmentKey = "JOB_PROCESSOR_API_KEY";
    public const string ApiKeysSection = "Jobs:ApiKeys";
    public const string ReadOnlyKeysSection = "Jobs:Dashboard:ReadOnlyKeys";

    // One immutable snapshot, swapped whole, kept until configuration signals a reload.
    private Snapshot? _current;

    /// <summary>The keys configured now.</summary>
    public ApiKeySet Current
    {
        get
        {
            if (configuration is null) return ApiKeySet.Empty;
            var current = Volatile.Read(ref _current);
            if (current is not null && !current.Reload.HasChanged) return current.Keys;
            // The token is taken before the keys are read, so a reload during the read is seen by the next call.
            var reload = configuration.GetReloadToken();
            var keys = Read(configuration);
            Volatile.Write(ref _current, new Snapshot(reload, keys));
            return keys;
        }
    }

    /// <summary>
    /// The keys the HTTP API accepts now: those configured and those the host added in code (<see cref="LeoraJobsApiOptions.ApiKeys"/>).
    /// Only its full keys open the API. The API's authentication, its start-up check and the service's banner all ask this.
    /// </summary>
    public ApiKeySet ApiKeys(LeoraJobsApiOptions api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return Current.With(api.ApiKeys, []);
    }

    /// <summary>Parses the keys of <paramref name="configuration"/>: the one place that knows the forms above.</summary>
    public static ApiKeySet Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var full = new List<string>();
        if (configuration[EnvironmentKey] is { } single) full.Add(single);
        full.AddRange(List(configuration.GetSection(ApiKeysSection)));
        return ApiKeySet.Create(full, List(configuration.GetSection(ReadOnlyKeysSection)));
    }

    // A section is one comma-separated value (as an environment variable holds it) or a list (as a JSON array binds).
    // A list entry is one key, whole: splitting it would turn "x,long-secret" into a second, short key "x".
    private static IEnumerable<string> List(IConfigurationSection section)
    {
        var joined = section.Value is { } value ? value.Split(',') : [];
        return joined.Concat(section.GetChildren().Select(c => c.Value).OfType<string>());
    }

    private sealed record Snapshot(IChangeToken Reload, ApiKeySet Keys);
}
