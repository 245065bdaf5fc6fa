using Leora.Jobs.AspNetCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Leora.Jobs.Server;

/// <summary>
/// The service's OpenTelemetry wiring (docs/monitoring.md): <c>/metrics</c> in Prometheus text format when
/// <c>Jobs:Metrics</c> turns it on, and OTLP export of traces and metrics when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variables are set. With neither, nothing is registered and the instruments cost
/// one check each.
/// </summary>
internal static class ServerTelemetry
{
    /// <summary>The variables that switch OTLP export on: the endpoint for every signal, or one signal's own.</summary>
    private const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string OtlpTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    private const string OtlpMetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";

    /// <summary>Registers what the configuration asks for. <paramref name="web"/>: the HTTP service (serve), which alone serves /metrics.</summary>
    public static void Add(IServiceCollection services, IConfiguration configuration, ServerSettings settings, bool web)
    {
        var otlpTraces = Set(configuration, OtlpEndpoint) || Set(configuration, OtlpTracesEndpoint);
        var otlpMetrics = Set(configuration, OtlpEndpoint) || Set(configuration, OtlpMetricsEndpoint);
        var prometheus = web && settings.Metrics.Enabled;
        if (!otlpTraces && !otlpMetrics && !prometheus) return;

        services.AddSingleton<JobStoreGauges>();
        var otel = services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read again after the defaults, have the last word.
            .ConfigureResource(r => r.AddService(serviceName: "leora-jobs", serviceVersion: LeoraJobsVersion.Informational).AddEnvironmentVariableDetector());
        if (otlpMetrics || prometheus)
            otel.WithMetrics(m =>
            {
                // No runtime instrumentation: its dotnet_*_count gauges fail promtool's lint (a _count suffix on a gauge).
                m.AddMeter(JobsTelemetry.Name).AddHttpClientInstrumentation();
                if (web) m.AddAspNetCoreInstrumentation();
                if (prometheus) m.AddPrometheusExporter();
                if (otlpMetrics) m.AddOtlpExporter();
            });
        if (otlpTraces)
            otel.WithTracing(t =>
            {
                t.AddSource(JobsTelemetry.Name).AddHttpClientInstrumentation().AddNpgsql().AddOtlpExporter();
                if (web) t.AddAspNetCoreInstrumentation(o => o.Filter = c => !IsScrape(c, settings.Metrics));
            });
    }

    /// <summary>
    /// Builds the providers and the gauges of a host that is not started (the one-shot verbs: an enqueue from the command
    /// line is traced too). A started host builds them itself; disposing the host flushes them.
    /// </summary>
    public static void StartProviders(IServiceProvider services)
    {
        services.GetService<TracerProvider>();
        services.GetService<MeterProvider>();
        services.GetService<JobStoreGauges>();
    }

    /// <summary>
    /// Serves /metrics as <c>Jobs:Metrics</c> says: on its own address without a key, and nowhere else; or on the
    /// service's address to a request with an API key (full or read-only), answering 401 without one.
    /// </summary>
    public static void MapMetrics(WebApplication app, ServerSettings settings)
    {
        var metrics = settings.Metrics;
        if (!metrics.Enabled) return;
        var gauges = app.Services.GetRequiredService<JobStoreGauges>();
        app.Use(async (context, next) =>
        {
            var onMetricsPort = metrics.Port is { } port && context.Connection.LocalPort == port;
            var scrape = context.Request.Path.Equals(metrics.Path, StringComparison.Ordinal);
            if (metrics.Port is not null && onMetricsPort != scrape)
            {
                // The metrics address answers the scrape path only, and the service's addresses never answer it.
                await ProblemAsync(context, StatusCodes.Status404NotFound, "Not found",
                    onMetricsPort ? $"This address serves {metrics.Path} only." : "Not found.");
                return;
            }
            if (!scrape)
            {
                await next(context);
                return;
            }
            if (metrics.Port is null && Refusal(context) is { } refusal)
            {
                context.Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
                await ProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", refusal);
                return;
            }
            // The gauges read the database here, at most once per interval, so that the scrape shows a fresh reading.
            await gauges.RefreshIfStaleAsync(context.RequestAborted);
            await next(context);
        });
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: c => IsScrape(c, metrics),
            path: null, configureBranchedPipeline: null, optionsName: null);
    }

    private static bool IsScrape(HttpContext context, MetricsSettings metrics) =>
        metrics.Enabled && context.Request.Path.Equals(metrics.Path, StringComparison.Ordinal)
        && (metrics.Port is not { } port || context.Connection.LocalPort == port);

    /// <summary>
    /// Why a scrape on the service's address is refused, or null when it sent valid keys: x-api-key or Authorization:
    /// Bearer, full or read-only (a scrape only reads), as the key ring holds them. Keys are never logged or echoed.
    /// </summary>
    private static string? Refusal(HttpContext context)
    {
        var services = context.RequestServices;
        var keys = services.GetRequiredService<ApiKeyRing>().ApiKeys(services.GetRequiredService<IOptionsMonitor<LeoraJobsApiOptions>>().CurrentValue);
        if (keys.Count == 0) return "No API key is configured on the server, so /metrics is refused. Set JOB_PROCESSOR_API_KEY, Jobs:ApiKeys or Jobs:Dashboard:ReadOnlyKeys, or serve metrics on their own address (Jobs:Metrics:Url).";
        var presented = new List<string>(2);
        var apiKey = context.Request.Headers["x-api-key"];
        var authorization = context.Request.Headers.Authorization;
        if (apiKey.Count > 1 || authorization.Count > 1) return "Send one x-api-key or Authorization header.";
        if (apiKey.Count == 1) presented.Add(apiKey[0] ?? "");
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            presented.Add(value["Bearer ".Length..].Trim());
        if (presented.Count == 0) return "An API key is required: send x-api-key: <key> or Authorization: Bearer <key>.";
        // Every presented key is checked (no short-circuit), so the time taken does not tell which one was wrong.
        var allValid = true;
        foreach (var key in presented)
        {
            var (full, readOnly) = keys.Match(ApiKeySet.Digest(key));
            allValid &= key.Length > 0 && (full || readOnly);
        }
        return allValid ? null : "The API key is not valid.";
    }

    private static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var written = await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
        if (!written) await Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
    }

    private static bool Set(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);
}
