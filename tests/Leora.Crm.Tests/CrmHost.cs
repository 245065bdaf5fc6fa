using System.Net.Http.Json;
using System.Text.Json;
using Leora.Crm.Storage;
using Leora.Jobs;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Crm.Tests;

/// <summary>The database a test runs on.</summary>
public enum Db { Sqlite, Postgres }

/// <summary>
/// A real host for the CRM: Kestrel on 127.0.0.1 (a free port), Leora Jobs on a fresh SQLite file or PostgreSQL schema,
/// <c>AddLeoraCrm</c> and <c>MapLeoraCrmApi</c>. No worker: tests process jobs with <see cref="IJobProcessor"/>.
/// </summary>
public sealed class CrmHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestDatabase _database;

    private CrmHost(WebApplication app, TestDatabase database, HttpClient client)
    {
        _app = app;
        _database = database;
        Client = client;
    }

    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;
    public IJobProcessor Processor => Services.GetRequiredService<IJobProcessor>();
    public IJobClient Jobs => Services.GetRequiredService<IJobClient>();
    internal CrmStore Store => Services.GetRequiredService<CrmStore>();
    internal CrmCommands Commands => Services.GetRequiredService<CrmCommands>();

    /// <summary>
    /// Starts a host; with <paramref name="apiKey"/>, the jobs HTTP API is mapped at /api/jobs and every endpoint needs that key;
    /// with <paramref name="openApi"/>, the OpenAPI document is served at /openapi/v1.json.
    /// </summary>
    public static async Task<CrmHost> StartAsync(Db db, FakeClaude? claude, Action<CrmOptions>? configure = null, string? apiKey = null, bool openApi = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        // LEORA_TEST_LOG=1 shows the host's log on the console when a test needs explaining.
        if (Environment.GetEnvironmentVariable("LEORA_TEST_LOG") == "1") builder.Logging.AddConsole();
        var database = TestDatabase.Create(db == Db.Sqlite ? "sqlite" : "postgresql", "crm");
        var jobs = builder.Services.AddLeoraJobs(o => o.Backoff = _ => TimeSpan.Zero);
        database.Use(jobs);
        jobs.AddLeoraCrm(o =>
        {
            o.AnthropicApiKey = claude is null ? null : FakeClaude.ApiKey;
            o.AnthropicBaseUrl = claude?.BaseUrl;
            o.Model = "claude-test-model";
            o.RequestTimeout = TimeSpan.FromSeconds(20);
            configure?.Invoke(o);
        });
        if (apiKey is not null) builder.Services.AddLeoraJobsApi(o => o.ApiKeys.Add(apiKey));
        if (openApi) builder.Services.AddOpenApi();
        var app = builder.Build();
        if (openApi) app.MapOpenApi();
        if (apiKey is not null)
        {
            app.MapGroup("/api/jobs").MapLeoraJobsApi();
            app.MapLeoraCrmApi().RequireAuthorization(Leora.Jobs.AspNetCore.LeoraJobsApiDefaults.Policy);
        }
        else
        {
            app.MapLeoraCrmApi();
        }
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CrmHost(app, database, new HttpClient { BaseAddress = new Uri(address) });
    }

    /// <summary>Processes every job that is due now; returns the batch's result.</summary>
    public Task<BatchResult> ProcessAsync(int maxJobs = 10) => Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = maxJobs }, CancellationToken.None);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }
}
