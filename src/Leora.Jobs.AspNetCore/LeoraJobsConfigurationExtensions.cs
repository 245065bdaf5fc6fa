using Leora.Jobs;
using Leora.Jobs.AspNetCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Reads Leora Jobs' settings from configuration, for a host of your own (the <c>leora-jobs</c> service uses it too).</summary>
public static class LeoraJobsConfigurationExtensions
{
    /// <summary>
    /// Reads the settings of docs/configuration.md that apply to the library from <paramref name="configuration"/>, with
    /// the same forms as the service (durations such as <c>5m</c>): <see cref="JobsOptions"/> from <c>Jobs</c>
    /// (<c>Jobs:Lease</c>, <c>Jobs:DefaultMaxAttempts</c>, <c>Jobs:WorkerName</c>, …), <see cref="JobWorkerOptions"/> from
    /// <c>Jobs:Worker</c> (<c>Concurrency</c>, <c>Queues:&lt;name&gt;</c>, <c>PollInterval</c>, …, used once a worker is added),
    /// and <c>Jobs:Retention</c>: finished jobs older than it (30 days when the setting is absent; <c>off</c> keeps them)
    /// are pruned hourly by the maintenance leader. A bad value fails at start with a message naming the setting.
    /// The store (<c>UseSqlite</c>, <c>UsePostgreSql</c>) stays the host's to choose. Configuration registered after
    /// this call (<c>AddWorker(o =&gt; …)</c>, <c>Services.Configure</c>) has the last word.
    /// </summary>
    public static LeoraJobsBuilder AddConfiguration(this LeoraJobsBuilder jobs, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(configuration);
        jobs.Services.AddOptions<JobsOptions>().Configure(o => ConfigurationBinding.Bind(configuration, "Jobs", o));
        jobs.Services.AddOptions<JobWorkerOptions>().Configure(o => ConfigurationBinding.Bind(configuration, "Jobs:Worker", o));
        TimeSpan? retention;
        try
        {
            retention = RetentionSetting.Read(configuration);
        }
        catch (FormatException ex)
        {
            throw new OptionsValidationException(RetentionSetting.Key, typeof(JobWorkerOptions), [ex.Message]);
        }
        if (retention is { } keep) jobs.AddPruning(keep, TimeSpan.FromHours(1));
        return jobs;
    }
}
