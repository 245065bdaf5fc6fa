using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Server;

/// <summary>Registers Leora Jobs from <see cref="ServerSettings"/>: the store named by Jobs:Provider, the built-in job types, and optionally the worker.</summary>
internal static class JobsServices
{
    public static LeoraJobsBuilder Add(IServiceCollection services, ServerSettings settings, bool worker,
        Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var jobs = services.AddLeoraJobs(o =>
        {
            if (settings.Lease is { } lease) o.Lease = lease;
            if (settings.HeartbeatInterval is { } hb) o.HeartbeatInterval = hb;
            if (settings.DefaultMaxAttempts is { } attempts) o.DefaultMaxAttempts = attempts;
            if (settings.DefaultQueue is { } queue) o.DefaultQueue = queue;
            if (settings.BatchConcurrency is { } batch) o.BatchConcurrency = batch;
            if (settings.WorkerName is { } name) o.WorkerName = name;
            o.MigrateOnStart = settings.MigrateOnStart;
        });

        switch (settings.Provider)
        {
            case "sqlite":
                jobs.UseSqlite(settings.ConnectionString, o =>
                {
                    if (settings.SqliteSynchronous is { } sync) o.Synchronous = sync;
                    if (settings.SqliteWorkerSynchronous is { } workerSync) o.WorkerSynchronous = workerSync;
                });
                break;
            case "postgresql":
                jobs.UsePostgreSql(settings.ConnectionString, o =>
                {
                    if (settings.PostgreSqlSchema is { } schema) o.Schema = schema;
                    if (settings.PostgreSqlListen is { } listen) o.Listen = listen;
                });
                break;
            default:
                throw new ServerConfigurationException($"Jobs:Provider '{settings.Provider}' is not supported.");
        }

        // Leora CRM's job types run in every host of this executable (serve, work, process), configured from "Crm".
        jobs.AddLeoraCrm();
        services.Configure<Leora.Crm.CrmOptions>(configuration.GetSection("Crm"));

        jobs.AddWebhookJob(o =>
        {
            foreach (var host in settings.WebhookAllowedHosts) o.AllowedHosts.Add(host);
            if (settings.WebhookMaxRedirects is { } redirects) o.MaxRedirects = redirects;
            if (settings.WebhookDefaultTimeout is { } timeout) o.DefaultTimeout = timeout;
        });

        if (worker)
        {
            jobs.AddWorker(o =>
            {
                o.Enabled = true;
                o.Concurrency = settings.WorkerConcurrency;
                if (settings.WorkerPollInterval is { } poll) o.PollInterval = poll;
                if (settings.WorkerShutdownGrace is { } grace) o.ShutdownGrace = grace;
                if (settings.WorkerFetchCooldown is { } cooldown) o.FetchCooldown = cooldown;
                if (settings.WorkerNodeHeartbeatInterval is { } nodeHeartbeat) o.NodeHeartbeatInterval = nodeHeartbeat;
                if (settings.WorkerLeaderLease is { } leaderLease) o.LeaderLease = leaderLease;
                foreach (var (queue, n) in settings.WorkerQueues) o.Queues[queue] = n;
            });
        }
        // Every host that starts (serve, work) prunes, with or without the worker: an API-only service fed by a cron still
        // prunes. Only the maintenance leader deletes, hourly; the one-shot commands never start their host.
        if (settings.Retention is { } retention) jobs.AddPruning(retention, TimeSpan.FromHours(1));
        return jobs;
    }

    /// <summary>Resolves the store now, so a bad connection string fails here with a clear message rather than inside the host.</summary>
    public static IJobStore ResolveStore(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<IJobStore>();
        }
        catch (ArgumentException ex)
        {
            throw new ServerConfigurationException($"ConnectionStrings:Jobs is not usable: {ex.Message}", ex);
        }
    }

    /// <summary>The SQLite file's path, when the store is SQLite.</summary>
    public static string? SqlitePath(IJobStore store) => (store as SqliteJobStore)?.DatabasePath;
}
