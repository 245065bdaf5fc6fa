using System.Text.RegularExpressions;

namespace Leora.Jobs.Server;

/// <summary>
/// <c>Jobs:Metrics</c>: whether the service serves Prometheus metrics, at which path, and whether on an address of their
/// own (<see cref="Url"/>, no key) or on the service's (an API key, full or read-only). docs/monitoring.md and docs/security.md.
/// </summary>
internal sealed partial record MetricsSettings
{
    public const string DefaultPath = "/metrics";

    /// <summary>Whether /metrics is served. Defaults to false, or true when <see cref="Url"/> is set.</summary>
    public bool Enabled { get; init; }
    /// <summary>The scrape path. Defaults to <c>/metrics</c>.</summary>
    public string Path { get; init; } = DefaultPath;
    /// <summary>The address of the metrics' own listener (<c>http://127.0.0.1:9464</c>); null: the service's addresses, with a key.</summary>
    public string? Url { get; init; }
    /// <summary>The port of <see cref="Url"/>: requests that arrive on it are scrapes, and only they.</summary>
    public int? Port { get; init; }

    public static MetricsSettings Read(IConfiguration config, Func<string, bool?> readBool)
    {
        string? url = null;
        int? port = null;
        if (config["Jobs:Metrics:Url"] is { Length: > 0 } text)
        {
            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.IsDefaultPort
                || uri.Port == 0 || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
                throw new ServerConfigurationException(
                    $"Jobs:Metrics:Url '{text}' is not an address of its own for metrics: write http://, a host and a port, for example http://127.0.0.1:9464.");
            url = $"http://{uri.Authority}";
            port = uri.Port;
        }
        var path = config["Jobs:Metrics:Path"] is { Length: > 0 } p ? p.Trim() : DefaultPath;
        if (!PathPattern().IsMatch(path))
            throw new ServerConfigurationException(
                $"Jobs:Metrics:Path '{path}' is not a path: write '/' and letters, digits, '-', '_', '.' or '/', for example /metrics.");
        return new MetricsSettings
        {
            Enabled = readBool("Jobs:Metrics:Enabled") ?? url is not null,
            Path = path,
            Url = url,
            Port = port,
        };
    }

    [GeneratedRegex("^/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$")]
    private static partial Regex PathPattern();
}
