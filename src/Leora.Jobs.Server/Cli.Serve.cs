using System.CommandLine;
using Leora.Jobs.AspNetCore;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Server;

// The long-running verbs: serve (HTTP API and worker) and work (worker only).
internal static partial class Cli
{
    private static Command ServeCommand()
    {
        var (urls, noWorker) = ServeOptions();
        var command = NewCommand("serve", "Run the service: HTTP API, health, OpenAPI, and the built-in worker (the default command).");
        command.Options.Add(urls);
        command.Options.Add(noWorker);
        command.SetAction((parse, ct) => ServeAsync(parse, parse.GetValue(urls), parse.GetValue(noWorker), ct));
        return command;
    }

    /// <summary>serve's own options (the root command, which is serve without its name, takes them too).</summary>
    private static (Option<string?> Urls, Option<bool> NoWorker) ServeOptions() => (
        new Option<string?>("--urls") { Description = "Where to listen, for example http://0.0.0.0:8080. Default: http://127.0.0.1:5080 (or ASPNETCORE_URLS)." },
        new Option<bool>("--no-worker") { Description = "Serve the API only; run no jobs here (same as Jobs:Worker:Enabled=false)." });

    private static async Task<int> ServeAsync(ParseResult parse, string? urls, bool noWorker, CancellationToken ct)
    {
        var extra = new List<string>();
        if (urls is not null) extra.Add($"--urls={urls}");
        if (noWorker) extra.Add("--Jobs:Worker:Enabled=false");
        var (app, settings) = ServerHost.BuildWebApp(ConfigArgs(parse, [.. extra]));
        await using (app)
        {
            var store = JobsServices.ResolveStore(app.Services);
            await app.StartAsync(ct);
            var keys = app.Services.GetRequiredService<ApiKeyRing>().ApiKeys(app.Services.GetRequiredService<IOptions<LeoraJobsApiOptions>>().Value).FullCount;
            // The metrics' own address is not the service's: it answers the scrape path only.
            var serviceUrls = app.Urls.Where(u => settings.Metrics.Port is not { } port || !Uri.TryCreate(u, UriKind.Absolute, out var a) || a.Port != port).ToList();
            var listening = string.Join(", ", serviceUrls);
            Console.Out.WriteLine($"Leora Jobs is listening on {listening}");
            Console.Out.WriteLine($"Jobs are kept in the {settings.DescribeDatabase(JobsServices.SqlitePath(store))}");
            Console.Out.WriteLine(settings.WorkerEnabled
                ? $"Built-in worker: on, {settings.WorkerConcurrency} at a time"
                : "Built-in worker: off (call POST /api/jobs/process or run 'leora-jobs work')");
            if (settings.OpenApiEnabled) Console.Out.WriteLine($"API page: {serviceUrls.First().TrimEnd('/')}/scalar/v1   OpenAPI: /openapi/v1.json");
            if (settings.Metrics.Enabled)
                Console.Out.WriteLine(settings.Metrics.Url is { } metricsUrl
                    ? $"Metrics: {metricsUrl}{settings.Metrics.Path} (no key; nothing else answers there)"
                    : $"Metrics: {serviceUrls.First().TrimEnd('/')}{settings.Metrics.Path} (with an API key, full or read-only)");
            Console.Out.WriteLine(keys == 0
                ? "API keys: none set, so the API refuses every request. Set JOB_PROCESSOR_API_KEY (or Jobs:ApiKeys) and restart."
                : $"API keys: {keys} accepted (x-api-key or Authorization: Bearer)");
            Console.Out.WriteLine("Press Ctrl+C to stop.");
            await Console.Out.FlushAsync(ct);
            await app.WaitForShutdownAsync(CancellationToken.None);
        }
        return ExitCodes.Ok;
    }

    private static Command WorkCommand()
    {
        var command = NewCommand("work", "Run the worker only (no HTTP) until stopped with Ctrl+C or SIGTERM.");
        command.SetAction(async (parse, ct) =>
        {
            var (host, settings) = ServerHost.BuildHost(ConfigArgs(parse), worker: true, LogLevel.Information);
            using (host)
            {
                var store = JobsServices.ResolveStore(host.Services);
                await host.StartAsync(ct);
                Console.Out.WriteLine($"Worker running, {settings.WorkerConcurrency} at a time, against the {settings.DescribeDatabase(JobsServices.SqlitePath(store))}. Press Ctrl+C to stop.");
                await Console.Out.FlushAsync(ct);
                await host.WaitForShutdownAsync(CancellationToken.None);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
