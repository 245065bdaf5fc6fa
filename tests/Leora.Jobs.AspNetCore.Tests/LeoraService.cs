using System.Net.Http.Headers;
using Leora.Jobs.Server;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The real leora-jobs web service (the same composition as <c>leora-jobs serve</c>), on Kestrel at 127.0.0.1 with a
/// free port, over a fresh SQLite file or a fresh PostgreSQL schema. The built-in worker is off unless asked for, so
/// tests run jobs through the batch endpoint and need no waiting.
/// </summary>
public sealed class LeoraService : IAsyncDisposable
{
    public const string Key1 = "test-key-one-0123456789abcdef";
    public const string Key2 = "test-key-two-fedcba9876543210";

    private LeoraService(WebApplication app, TestDatabase database)
    {
        App = app;
        Database = database;
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }
    public string Provider => Database.Provider;
    /// <summary>The service's own database (a fresh SQLite file or PostgreSQL schema), dropped with the service.</summary>
    public TestDatabase Database { get; }
    public Uri BaseAddress { get; }

    /// <summary>
    /// Runs SQL on the service's database through a connection of the test's own (outside the service's pools):
    /// <paramref name="sqlite"/> or <paramref name="postgres"/>, where <c>{schema}</c> stands for the service's schema.
    /// </summary>
    public Task ExecuteSqlAsync(string sqlite, string postgres) => Database.ExecuteSqlAsync(sqlite, postgres);

    /// <summary>A client with no key.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress };

    /// <summary>A client sending <paramref name="key"/> as x-api-key.</summary>
    public HttpClient WithKey(string key = Key1)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add("x-api-key", key);
        return client;
    }

    /// <summary>A client sending <paramref name="key"/> as Authorization: Bearer.</summary>
    public HttpClient WithBearer(string key = Key1)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Starts the service; <paramref name="postgresConnectionString"/> replaces the test cluster's (a relay in front of it).</summary>
    public static async Task<LeoraService> StartAsync(string provider, IEnumerable<string>? extraArgs = null, bool withKeys = true, string? postgresConnectionString = null)
    {
        var database = TestDatabase.Create(provider, "api", postgresConnectionString);
        var args = new List<string> { "--urls=http://127.0.0.1:0", "--Jobs:Worker:Enabled=false", "--Jobs:Webhook:AllowedHosts:0=localhost" };
        args.AddRange(database.ServerArguments());
        if (withKeys)
        {
            args.Add($"--JOB_PROCESSOR_API_KEY={Key1}");
            args.Add($"--Jobs:ApiKeys:0={Key2}");
        }
        if (extraArgs is not null) args.AddRange(extraArgs);
        var (app, _) = ServerHost.BuildWebApp([.. args]);
        await app.StartAsync();
        return new LeoraService(app, database);
    }

    /// <summary>The service's configuration root, to change keys at run time (rotation).</summary>
    public IConfigurationRoot Configuration => (IConfigurationRoot)App.Configuration;

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
