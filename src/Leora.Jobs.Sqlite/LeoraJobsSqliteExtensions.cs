using Leora.Jobs;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite store.</summary>
public static class LeoraJobsSqliteExtensions
{
    /// <summary>Keeps jobs in the SQLite database of <paramref name="connectionString"/>, for example <c>Data Source=data/jobs.db</c>.</summary>
    public static LeoraJobsBuilder UseSqlite(this LeoraJobsBuilder builder, string connectionString, Action<SqliteJobStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SqliteJobStoreOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        builder.Services.AddSingleton(sp => new SqliteJobStore(options, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IJobStore>(sp => sp.GetRequiredService<SqliteJobStore>());
        builder.Services.AddHostedService(sp => new SqliteJobWatcher(
            sp.GetRequiredService<SqliteJobStore>(), sp.GetRequiredService<JobSignal>(), () => sp.GetRequiredService<JobNodeState>().HasWorker));
        return builder;
    }
}
