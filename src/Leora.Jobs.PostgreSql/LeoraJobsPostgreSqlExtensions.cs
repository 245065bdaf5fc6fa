using Leora.Jobs;
using Leora.Jobs.PostgreSql;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL store.</summary>
public static class LeoraJobsPostgreSqlExtensions
{
    /// <summary>Keeps jobs in the PostgreSQL database of <paramref name="connectionString"/>, in schema <c>leora</c> unless configured.</summary>
    public static LeoraJobsBuilder UsePostgreSql(this LeoraJobsBuilder builder, string connectionString, Action<PostgreSqlJobStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new PostgreSqlJobStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        builder.Services.AddSingleton(sp => new PostgreSqlJobStore(options, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IJobStore>(sp => sp.GetRequiredService<PostgreSqlJobStore>());
        // The pooler check starts before every hosted service registered so far, the migrator included: behind a
        // transaction pooler whose server connections hold other clients' prepared statements, the migration's own
        // would fail first, with PostgreSQL's error instead of the setting to add.
        var check = ServiceDescriptor.Singleton<IHostedService>(sp => new PostgreSqlPoolerCheck(
            sp.GetRequiredService<PostgreSqlJobStore>(), sp.GetRequiredService<ILogger<PostgreSqlPoolerCheck>>()));
        var first = builder.Services.ToList().FindIndex(d => d.ServiceType == typeof(IHostedService));
        builder.Services.Insert(first < 0 ? builder.Services.Count : first, check);
        builder.Services.AddHostedService(sp => new PostgreSqlJobListener(
            sp.GetRequiredService<PostgreSqlJobStore>(), sp.GetRequiredService<JobSignal>(), options,
            () => sp.GetRequiredService<JobNodeState>().HasWorker, sp.GetRequiredService<ILogger<PostgreSqlJobListener>>()));
        return builder;
    }
}
