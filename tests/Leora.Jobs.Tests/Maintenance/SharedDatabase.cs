using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Tests.Maintenance;

/// <summary>One database (a <see cref="TestDatabase"/>: a SQLite file or a PostgreSQL schema) that several nodes of a test share.</summary>
public sealed class SharedDatabase : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private SharedDatabase(TestDatabase database) => _database = database;

    public static SharedDatabase Create(string provider) => new(TestDatabase.Create(provider, "mt"));

    /// <summary>A node on this database: its container, built by <paramref name="configure"/>, and its hosted services started.</summary>
    public async Task<ServiceProvider> StartNodeAsync(string name, Action<LeoraJobsBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Recorder>();
        var builder = _database.Use(services.AddLeoraJobs(o => o.WorkerName = name)).AddJob<NoopArgs, NoopHandler>();
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

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
