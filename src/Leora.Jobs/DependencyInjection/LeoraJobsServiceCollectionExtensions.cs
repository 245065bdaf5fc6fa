using Leora.Jobs;
using Leora.Jobs.Storage;
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
        // The core's services reach the store through the instrumented wrapper (one place for store telemetry).
        // IJobStore itself stays the store the host registered: callers still look at its concrete type.
        services.TryAddSingleton(sp => new InstrumentedJobStore(sp.GetRequiredService<IJobStore>()));
        services.TryAddSingleton(WithInstrumentedStore<JobCompleter>);
        services.TryAddSingleton(WithInstrumentedStore<JobHeartbeats>);
        services.TryAddSingleton(WithInstrumentedStore<JobExecutor>);
        services.TryAddSingleton(WithInstrumentedStore<JobCallbacks>);
        services.TryAddSingleton(WithInstrumentedStore<JobClient>);
        services.TryAddSingleton<IJobClient>(sp => sp.GetRequiredService<JobClient>());
        services.TryAddSingleton<IJobProcessor>(WithInstrumentedStore<JobProcessor>);
        services.TryAddSingleton(WithInstrumentedStore<JobStoreSpace>);
        services.TryAddSingleton(WithInstrumentedStore<JobSchedules>);
        services.TryAddSingleton<IJobSchedules>(sp => sp.GetRequiredService<JobSchedules>());
        services.TryAddSingleton<IJobPauses>(WithInstrumentedStore<JobPauses>);
        services.TryAddSingleton<IJobWorkflows>(WithInstrumentedStore<JobWorkflows>);
        services.TryAddSingleton<JobStoreMigrator>();
        services.TryAddSingleton<IJobStoreMigrator>(sp => sp.GetRequiredService<JobStoreMigrator>());
        services.AddHostedService(sp => sp.GetRequiredService<JobStoreMigrator>());
        return new LeoraJobsBuilder(services);
    }

    internal static T WithInstrumentedStore<T>(IServiceProvider services) =>
        ActivatorUtilities.CreateInstance<T>(services, services.GetRequiredService<InstrumentedJobStore>());
}
