using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// A real ASP.NET Core host on Kestrel (127.0.0.1, a free port) serving the dashboard at /jobs over a database of its
/// own (a <see cref="TestDatabase"/>: a SQLite file, or a PostgreSQL schema), with test job types and, unless asked for, no worker: tests process jobs with the
/// real processor when they want them processed, so what the page shows is decided by the test, not by timing.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestDatabase _database;

    private DashboardHost(WebApplication app, TestDatabase database, string fullKey, string readOnlyKey)
    {
        _app = app;
        _database = database;
        FullKey = fullKey;
        ReadOnlyKey = readOnlyKey;
    }

    public const string WorkerName = "web-1";

    public string FullKey { get; }
    public string ReadOnlyKey { get; }
    /// <summary>The server's root, e.g. http://127.0.0.1:41234.</summary>
    public Uri Root { get; private set; } = null!;
    /// <summary>The dashboard's page, e.g. http://127.0.0.1:41234/jobs/.</summary>
    public Uri Dashboard => new(Root, "/jobs/");
    public IServiceProvider Services => _app.Services;
    public IJobClient Client => Services.GetRequiredService<IJobClient>();
    public IJobProcessor Processor => Services.GetRequiredService<IJobProcessor>();
    public FlakySwitch Flaky => Services.GetRequiredService<FlakySwitch>();
    public Gate Gate => Services.GetRequiredService<Gate>();

    public static async Task<DashboardHost> StartAsync(
        Action<JobsDashboardOptions>? dashboard = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configureApp = null,
        string provider = "sqlite",
        int workerConcurrency = 0,
        Action<LeoraJobsBuilder>? jobsBuilder = null)
    {
        var fullKey = "full-" + Guid.NewGuid().ToString("N");
        var readOnlyKey = "look-" + Guid.NewGuid().ToString("N");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["JOB_PROCESSOR_API_KEY"] = fullKey,
            ["Jobs:Dashboard:ReadOnlyKeys:0"] = readOnlyKey,
        });
        // Keys in memory, not in the user's profile: each test host is its own world.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddSingleton<FlakySwitch>();

        var database = TestDatabase.Create(provider, "dash");
        // A fixed worker name: screenshots in the docs must not show this machine's name.
        var jobs = builder.Services.AddLeoraJobs(o => o.WorkerName = WorkerName)
            .AddJob<EchoArgs, EchoHandler>()
            .AddJob<FlakyArgs, FlakyHandler>(o => o.MaxAttempts = 1)
            .AddJob<ReportArgs, ReportHandler>(o => o.Queue = "reports")
            .AddJob<GateArgs, GateHandler>()
            .AddJob<LaterArgs, LaterHandler>();
        builder.Services.AddSingleton<Gate>();
        jobsBuilder?.Invoke(jobs);
        database.Use(jobs);
        if (workerConcurrency > 0) jobs.AddWorker(o => { o.Concurrency = workerConcurrency; o.PollInterval = TimeSpan.FromMilliseconds(100); });
        builder.Services.AddLeoraJobsDashboard(o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(250);
            dashboard?.Invoke(o);
        });
        configureBuilder?.Invoke(builder);

        var app = builder.Build();
        configureApp?.Invoke(app);
        app.MapLeoraJobsDashboard("/jobs");
        var host = new DashboardHost(app, database, fullKey, readOnlyKey);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.Root = new Uri(address);
        return host;
    }

    /// <summary>A client of the dashboard's JSON endpoints, signed in with <paramref name="key"/> (a session cookie, anti-forgery header sent).</summary>
    public async Task<HttpClient> SignedInClientAsync(string key)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Dashboard };
        var session = await client.GetFromJsonAsync<JsonElement>("api/session");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/signin") { Content = JsonContent.Create(new { key }) };
        request.Headers.Add(session.GetProperty("csrfHeader").GetString()!, session.GetProperty("csrfToken").GetString());
        using var signIn = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        return client;
    }

    /// <summary>Processes every due job now with the real batch processor, and returns how many ran.</summary>
    public async Task<int> ProcessAllAsync()
    {
        var result = await Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 1000 }, CancellationToken.None);
        return result.Processed;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }
}
