using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Tests.Maintenance;

/// <summary>One database (a SQLite file or a PostgreSQL schema) that several nodes of a test share.</summary>
public sealed class SharedDatabase : IAsyncDisposable
{
    private readonly TempSqlite? _file;

    private SharedDatabase(string provider)
    {
        Provider = provider;
        if (provider == "sqlite") _file = new TempSqlite();
        else Schema = TestPostgres.NewSchemaName("mt");
    }

    public string Provider { get; }
    public string? Schema { get; }

    public static SharedDatabase Create(string provider) => new(provider);

    /// <summary>A node on this database: its container, built by <paramref name="configure"/>, and its hosted services started.</summary>
    public async Task<ServiceProvider> StartNodeAsync(string name, Action<LeoraJobsBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Recorder>();
        var builder = services.AddLeoraJobs(o => o.WorkerName = name).AddJob<NoopArgs, NoopHandler>();
        if (_file is not null) builder.UseSqlite(_file.ConnectionString);
        else builder.UsePostgreSql(TestPostgres.Require(), o => o.Schema = Schema!);
        configure(builder);
        var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        // As a host would: the migrator first, then the worker or the leader's maintenance.
        foreach (var hosted in sp.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        return sp;
    }

    /// <summary>Stops a node's hosted services in reverse order, as a host would, then disposes it.</summary>
    public static async Task StopNodeAsync(ServiceProvider node)
    {
        foreach (var hosted in node.GetServices<IHostedService>().Reverse()) await hosted.StopAsync(CancellationToken.None);
        await node.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _file?.Dispose();
        if (Schema is not null) await TestPostgres.DropSchemaAsync(Schema);
    }
}
