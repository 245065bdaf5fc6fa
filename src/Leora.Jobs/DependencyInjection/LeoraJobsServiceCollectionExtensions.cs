using Leora.Jobs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md, Npgsql).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Leora Jobs.</summary>
public static class LeoraJobsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Leora Jobs client, processor and registry. Choose a store with <c>UseSqlite</c> or
    /// <c>UsePostgreSql</c>, add job types with <see cref="LeoraJobsBuilder.AddJob{TArgs, THandler}"/>.
    /// </summary>
    public static LeoraJobsBuilder AddLeoraJobs(this IServiceCollection services, Action<JobsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<JobsOptions>();
        if (configure is not null) options.Configure(configure);
        // Source-generated validators, run when the host starts: a bad value stops start-up with a message naming it.
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>());
        services.AddOptions<JobWorkerOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobWorkerOptions>, JobWorkerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new JobTypeRegistry(sp.GetServices<JobTypeDescriptor>()));
        services.TryAddSingleton<JobSignal>();
        services.TryAddSingleton(JobNodeState.Create);
        services.TryAddSingleton<RunningJobs>();
        services.TryAddSingleton<JobCompleter>();
        services.TryAddSingleton<JobHeartbeats>();
        services.TryAddSingleton<JobExecutor>();
        services.TryAddSingleton<IJobClient, JobClient>();
        services.TryAddSingleton<IJobProcessor, JobProcessor>();
        services.AddHostedService<JobStoreMigrator>();
        return new LeoraJobsBuilder(services);
    }
}
