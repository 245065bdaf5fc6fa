using Leora.Jobs.AspNetCore;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.Webhooks;

namespace Leora.Jobs.Server;

/// <summary>
/// Registers Leora Jobs for the service: the store named by Jobs:Provider, the built-in job types, and optionally the
/// worker. Each options class is bound from its configuration section (docs/configuration.md) and validated at start.
/// </summary>
internal static class JobsServices
{
    public static LeoraJobsBuilder Add(IServiceCollection services, ServerSettings settings, bool worker, IConfiguration configuration)
    {
        // Jobs, Jobs:Worker and Jobs:Retention, read as a host of the library reads them. Every host that starts (serve,
        // work) prunes, with or without the worker: an API-only service fed by a cron still prunes. Only the maintenance
        // leader deletes, hourly; the one-shot commands never start their host. (ServerSettings has already refused a bad
        // retention with exit code 5.)
        var jobs = services.AddLeoraJobs().AddConfiguration(configuration);

        switch (settings.Provider)
        {
            // The store options are built when the store is registered; ConnectionStrings:Jobs stays their connection string.
            case "sqlite":
                jobs.UseSqlite(settings.ConnectionString, o =>
                    ConfigurationBinding.Bind(configuration, "Jobs:Sqlite", o, nameof(o.ConnectionString)));
                break;
            case "postgresql":
                jobs.UsePostgreSql(settings.ConnectionString, o =>
                    ConfigurationBinding.Bind(configuration, "Jobs:PostgreSql", o, nameof(o.ConnectionString), nameof(o.UseTimeProviderClock)));
                break;
            default:
                throw new ServerConfigurationException($"Jobs:Provider '{settings.Provider}' is not supported.");
        }

        // Leora CRM's job types run in every host of this executable (serve, work, process), configured from "Crm".
        jobs.AddLeoraCrm();
        services.Configure<Leora.Crm.CrmOptions>(configuration.GetSection("Crm"));

        jobs.AddWebhookJob();
        Bind<WebhookOptions>(services, configuration, "Jobs:Webhook");

        // HTTP job types (issue 15): job types whose handler is an HTTP endpoint, from Jobs:HttpJobTypes:<type>.
        HttpJobTypeConfiguration.AddDeclared(jobs, configuration);

        // Notifications (issue 13): channels, rules and storm control from Jobs:Notifications; nothing is sent until a
        // channel is configured.
        jobs.AddNotifications();
        services.AddOptions<Leora.Jobs.Notifications.NotificationOptions>().Configure(o => NotificationConfiguration.Bind(configuration, o));

        // Schedules declared in configuration (Jobs:Schedules:<name>), brought up to date when a host starts.
        ScheduleConfiguration.AddDeclared(jobs, configuration);
        // Rate and concurrency limits declared in configuration (Jobs:Limits:Types:<type>, Jobs:Limits:Queues:<queue>),
        // written to the database when a host starts.
        LimitConfiguration.AddDeclared(jobs, configuration);

        // `work` runs the worker whatever Jobs:Worker:Enabled says (that switch is serve's, ServerSettings.WorkerEnabled).
        if (worker) jobs.AddWorker(o => o.Enabled = true);
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

    // Bound before any code configuration registered later, so code still has the last word (as with BindConfiguration).
    private static void Bind<TOptions>(IServiceCollection services, IConfiguration configuration, string section) where TOptions : class =>
        services.AddOptions<TOptions>().Configure(o => ConfigurationBinding.Bind(configuration, section, o));
}
