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

    private readonly TempSqlite? _sqlite;
    private readonly string? _schema;

    private LeoraService(WebApplication app, TempSqlite? sqlite, string? schema, string provider)
    {
        App = app;
        _sqlite = sqlite;
        _schema = schema;
        Provider = provider;
        BaseAddress = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }
    public string Provider { get; }
    public Uri BaseAddress { get; }

    /// <summary>
    /// Runs SQL on the service's database through a connection of the test's own (outside the service's pools):
    /// <paramref name="sqlite"/> or <paramref name="postgres"/>, where <c>{schema}</c> stands for the service's schema.
    /// </summary>
    public async Task ExecuteSqlAsync(string sqlite, string postgres)
    {
        if (_sqlite is not null)
        {
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection(_sqlite.ConnectionString + ";Pooling=false");
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA busy_timeout = 10000; " + sqlite;
            await cmd.ExecuteNonQueryAsync();
        }
        else
        {
            await using var c = new Npgsql.NpgsqlConnection(TestPostgres.Require());
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = postgres.Replace("{schema}", _schema, StringComparison.Ordinal);
            await cmd.ExecuteNonQueryAsync();
        }
    }

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
        TempSqlite? sqlite = null;
        string? schema = null;
        var args = new List<string> { "--urls=http://127.0.0.1:0", "--Jobs:Worker:Enabled=false", "--Jobs:Webhook:AllowedHosts:0=localhost" };
        if (provider == "sqlite")
        {
            sqlite = new TempSqlite();
            args.Add($"--ConnectionStrings:Jobs={sqlite.ConnectionString}");
        }
        else
        {
            schema = TestPostgres.NewSchemaName("api");
            args.Add("--Jobs:Provider=postgresql");
            args.Add($"--ConnectionStrings:Jobs={postgresConnectionString ?? TestPostgres.Require()}");
            args.Add($"--Jobs:PostgreSql:Schema={schema}");
        }
        if (withKeys)
        {
            args.Add($"--JOB_PROCESSOR_API_KEY={Key1}");
            args.Add($"--Jobs:ApiKeys:0={Key2}");
        }
        if (extraArgs is not null) args.AddRange(extraArgs);
        var (app, _) = ServerHost.BuildWebApp([.. args]);
        await app.StartAsync();
        return new LeoraService(app, sqlite, schema, provider);
    }

    /// <summary>The service's configuration root, to change keys at run time (rotation).</summary>
    public IConfigurationRoot Configuration => (IConfigurationRoot)App.Configuration;

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        _sqlite?.Dispose();
        if (_schema is not null) await TestPostgres.DropSchemaAsync(_schema);
    }
}
