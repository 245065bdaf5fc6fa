using System.Globalization;
using Leora.Jobs.AspNetCore;
using Leora.Jobs.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Leora.Jobs.Server;

/// <summary>
/// Reads the HTTP job types declared in configuration (docs/http-job-types.md), one section each:
/// <c>Jobs:HttpJobTypes:&lt;type&gt;:Url</c>, <c>Secret</c>, <c>Timeout</c>, <c>MaxAttempts</c>, <c>Queue</c>, <c>PayloadSchema</c> (JSON text, or
/// the schema written as a section), <c>CompletionTimeout</c>; and <c>Jobs:PublicBaseUrl</c>, the service's public URL, which
/// the attempts' callback URLs start with. A value that does not parse stops the service with a message naming the setting.
/// </summary>
internal static class HttpJobTypeConfiguration
{
    public const string Section = "Jobs:HttpJobTypes";
    public const string PublicBaseUrl = "Jobs:PublicBaseUrl";

    /// <summary>Where the service mounts the jobs API (<see cref="Program.MapModules"/>): the callback routes are under it.</summary>
    private const string ApiPath = "/api/jobs";

    private static readonly string[] Keys = ["Url", "Secret", "Timeout", "MaxAttempts", "Queue", "PayloadSchema", "CompletionTimeout"];

    public static void AddDeclared(LeoraJobsBuilder jobs, IConfiguration configuration)
    {
        var declared = configuration.GetSection(Section).GetChildren().ToList();
        if (configuration[PublicBaseUrl] is { Length: > 0 } text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
                throw new ServerConfigurationException($"{PublicBaseUrl} must be the service's absolute http or https URL, such as https://jobs.example.com (was '{text}').");
            var callbackBase = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + ApiPath);
            jobs.Services.Configure<HttpJobOptions>(o => o.CallbackBaseUrl = callbackBase);
        }
        foreach (var section in declared)
        {
            foreach (var child in section.GetChildren())
                if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                    throw new ServerConfigurationException($"{child.Path} is not an HTTP job type setting (expected one of {string.Join(", ", Keys)}).");
            var options = Read(section);
            try
            {
                jobs.AddHttpJobType(section.Key, o =>
                {
                    o.Url = options.Url;
                    o.Secret = options.Secret;
                    o.Timeout = options.Timeout;
                    o.MaxAttempts = options.MaxAttempts;
                    o.Queue = options.Queue;
                    o.PayloadSchema = options.PayloadSchema;
                    o.CompletionTimeout = options.CompletionTimeout;
                }, section.Path);
            }
            catch (ArgumentException ex)
            {
                throw new ServerConfigurationException(ex.Message, ex);
            }
            catch (DuplicateJobTypeException ex)
            {
                throw new ServerConfigurationException($"{section.Path}: the job type '{section.Key}' is built in or declared twice; choose another name.", ex);
            }
        }
    }

    /// <summary>
    /// Where the callbacks go when <c>Jobs:PublicBaseUrl</c> is unset: the service's first listening address (a wildcard
    /// address, which no client can call, becomes 127.0.0.1).
    /// </summary>
    public static void AddListeningAddressFallback(IServiceCollection services) =>
        services.AddSingleton(sp => new HttpJobCallbackBase(() =>
        {
            var address = sp.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is null) return null;
            address = address.Replace("://+:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://*:", "://127.0.0.1:", StringComparison.Ordinal)
                .Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal);
            return Uri.TryCreate(address.TrimEnd('/') + ApiPath, UriKind.Absolute, out var url) ? url : null;
        }));

    private static HttpJobTypeOptions Read(IConfigurationSection section)
    {
        var options = new HttpJobTypeOptions();
        if (Text(section, "Url") is { } url)
            options.Url = Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed
                : throw new ServerConfigurationException($"{section.Path}:Url must be an absolute http or https URL (was '{url}').");
        options.Secret = Text(section, "Secret");
        if (Text(section, "Timeout") is { } timeout) options.Timeout = Duration(timeout, $"{section.Path}:Timeout");
        if (Text(section, "CompletionTimeout") is { } completion) options.CompletionTimeout = Duration(completion, $"{section.Path}:CompletionTimeout");
        if (Text(section, "MaxAttempts") is { } attempts)
            options.MaxAttempts = int.TryParse(attempts, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                : throw new ServerConfigurationException($"{section.Path}:MaxAttempts must be a whole number (was '{attempts}').");
        options.Queue = Text(section, "Queue");
        var schema = section.GetSection("PayloadSchema");
        options.PayloadSchema = schema.Value is { Length: > 0 } json ? json
            : schema.GetChildren().Any() ? Json(schema).ToJsonString() : null;
        return options;
    }

    private static TimeSpan Duration(string text, string setting)
    {
        try
        {
            return DurationText.Parse(text, setting);
        }
        catch (FormatException ex)
        {
            throw new ServerConfigurationException(ex.Message, ex);
        }
    }

    /// <summary>
    /// A schema written as a configuration section (appsettings.json's nested object) back as JSON. Configuration keeps text
    /// only, so values are read back as JSON would have them: true and false as booleans, numbers as numbers, sections whose
    /// keys are 0, 1, 2… as arrays. A string that looks like a number must be written as JSON text instead.
    /// </summary>
    private static System.Text.Json.Nodes.JsonNode Json(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            var value = section.Value ?? "";
            if (value is "true" or "false") return System.Text.Json.Nodes.JsonValue.Create(value == "true");
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && !value.StartsWith('+') && !value.StartsWith('.'))
                return System.Text.Json.Nodes.JsonNode.Parse(value)!;
            return System.Text.Json.Nodes.JsonValue.Create(value);
        }
        var indices = children.Select(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToList();
        if (indices.Order().SequenceEqual(Enumerable.Range(0, children.Count)))
            return new System.Text.Json.Nodes.JsonArray([.. children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(Json)]);
        var obj = new System.Text.Json.Nodes.JsonObject();
        foreach (var child in children) obj[child.Key] = Json(child);
        return obj;
    }

    private static string? Text(IConfigurationSection section, string key) => section[key] is { Length: > 0 } value ? value : null;
}
