using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Leora.Jobs;

/// <summary>Configures Leora Jobs in a service collection: job types, a store (<c>UseSqlite</c>, <c>UsePostgreSql</c>), the worker.</summary>
public sealed class LeoraJobsBuilder
{
    private readonly HashSet<string> _kinds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _schedules = new(StringComparer.Ordinal);

    internal LeoraJobsBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers a job type: its payload <typeparamref name="TArgs"/> (whose <c>Kind</c> names it) and its handler,
    /// resolved in a fresh scope per attempt. Throws <see cref="DuplicateJobTypeException"/> on a kind registered twice.
    /// </summary>
    public LeoraJobsBuilder AddJob<TArgs, THandler>(Action<JobTypeOptions>? configure = null)
        where TArgs : IJobArgs
        where THandler : class, IJobHandler<TArgs>
    {
        if (string.IsNullOrWhiteSpace(TArgs.Kind))
            throw new ArgumentException($"{typeof(TArgs).Name}.Kind is empty.", nameof(TArgs));
        if (!_kinds.Add(TArgs.Kind))
            throw new DuplicateJobTypeException($"Job type '{TArgs.Kind}' is registered twice (the second time by {typeof(TArgs).FullName}).");
        var options = new JobTypeOptions();
        configure?.Invoke(options);
        if (options.MaxAttempts is < 1) throw new ArgumentException($"Job type '{TArgs.Kind}': MaxAttempts must be at least 1.", nameof(configure));
        if (options.Timeout is { } t && t <= TimeSpan.Zero) throw new ArgumentException($"Job type '{TArgs.Kind}': Timeout must be positive.", nameof(configure));
        if (options.Queue is { } q && !QueueName.IsValid(q)) throw new ArgumentException($"Job type '{TArgs.Kind}': queue '{q}' is not valid.", nameof(configure));
        Services.AddSingleton(JobTypeDescriptor.Create<TArgs, THandler>(options));
        Services.AddScoped<THandler>();
        if (options.Rate is not null || options.Concurrency is not null || options.KeyConcurrency is not null)
        {
            AddLimit(new JobLimit
            {
                Scope = JobLimitScope.Type, Name = TArgs.Kind, Rate = options.Rate, RatePeriod = options.RatePeriod,
                Concurrency = options.Concurrency, KeyConcurrency = options.KeyConcurrency,
            }, $"Job type '{TArgs.Kind}'");
        }
        return this;
    }

    /// <summary>
    /// Registers a job type built elsewhere in the product (an HTTP job type: its kind comes from configuration, not from a
    /// payload type). Throws <see cref="DuplicateJobTypeException"/> on a kind registered twice.
    /// </summary>
    internal LeoraJobsBuilder AddJobType(JobTypeDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!_kinds.Add(descriptor.Kind))
            throw new DuplicateJobTypeException($"Job type '{descriptor.Kind}' is registered twice.");
        Services.AddSingleton(descriptor);
        return this;
    }

    /// <summary>
    /// Declares a rate or concurrency limit on a job type or a queue (docs/limits.md), written to the database when the host
    /// starts: a host that declares limits makes the stored set exactly its own (the last start wins; a host that declares
    /// none leaves the stored set alone), and every node that shares the database enforces it. A type or queue declared
    /// twice keeps the last declaration. Values are checked now (<see cref="ArgumentException"/>).
    /// </summary>
    public LeoraJobsBuilder AddLimit(JobLimit limit) => AddLimit(limit, $"Limit on {JobLimit.ScopeName(limit?.Scope ?? default)} '{limit?.Name}'");

    /// <summary>Declares a limit; <paramref name="source"/> names the declaration in errors (configuration: its section).</summary>
    internal LeoraJobsBuilder AddLimit(JobLimit limit, string source)
    {
        ArgumentNullException.ThrowIfNull(limit);
        limit.Validate(source);
        Services.AddSingleton(new Maintenance.JobLimitDeclaration(limit, source));
        // After the migrator (registered by AddLeoraJobs): hosted services start in order.
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Maintenance.LimitDeclarations>());
        return this;
    }

    /// <summary>
    /// Declares a recurring schedule, brought up to date in the database when the host starts (created, or its definition
    /// replaced; its next run kept while its cron expression, zone and enabled flag are unchanged). The cron expression and
    /// zone are checked now (<see cref="ArgumentException"/>); the type and payload at start, once every type is registered.
    /// </summary>
    public LeoraJobsBuilder AddSchedule(JobSchedule schedule) => AddSchedule(schedule, $"Schedule '{schedule?.Name}'");

    /// <summary>
    /// Declares a recurring schedule of <typeparamref name="TArgs"/>'s type with <paramref name="args"/> as each tick's payload,
    /// as <see cref="AddSchedule(JobSchedule)"/> does; <paramref name="configure"/> may set the rest (queue, priority, policies).
    /// </summary>
    public LeoraJobsBuilder AddSchedule<TArgs>(string name, string cron, TArgs args, string timeZone = "UTC", Func<JobSchedule, JobSchedule>? configure = null)
        where TArgs : IJobArgs
    {
        ArgumentNullException.ThrowIfNull(args);
        var schedule = new JobSchedule
        {
            Name = name,
            Cron = cron,
            TimeZone = timeZone,
            Type = TArgs.Kind,
            Payload = System.Text.Json.JsonSerializer.Serialize(args, JobJson.Options),
        };
        return AddSchedule(configure is null ? schedule : configure(schedule));
    }

    /// <summary>Declares a schedule; <paramref name="source"/> names the declaration in errors (configuration: its section).</summary>
    internal LeoraJobsBuilder AddSchedule(JobSchedule schedule, string source)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        try
        {
            ScheduleCron.Parse(schedule.Cron, schedule.TimeZone);
        }
        catch (JobValidationException ex)
        {
            throw new ArgumentException($"{source}: {ex.Message}", nameof(schedule), ex);
        }
        if (!_schedules.Add(schedule.Name ?? ""))
            throw new ArgumentException($"{source} is declared twice.", nameof(schedule));
        Services.AddSingleton(new JobScheduleDeclaration(schedule, source));
        // After the migrator (registered by AddLeoraJobs): hosted services start in order.
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Maintenance.ScheduleDeclarations>());
        return this;
    }

    /// <summary>Runs the long-running worker in this host.</summary>
    public LeoraJobsBuilder AddWorker(Action<JobWorkerOptions>? configure = null)
    {
        if (configure is not null) Services.Configure(configure);
        Services.TryAddSingleton<Maintenance.WorkerRegistration>();
        AddLeaderServices();
        // JobWorker's constructor is internal (its dependencies are), so it is built here rather than by the container.
        Services.AddSingleton(sp => new JobWorker(
            sp.GetRequiredService<Leora.Jobs.Storage.InstrumentedJobStore>(), sp.GetRequiredService<JobExecutor>(), sp.GetRequiredService<IJobProcessor>(),
            sp.GetRequiredService<JobSignal>(), sp.GetRequiredService<JobNodeState>(),
            sp.GetRequiredService<Maintenance.LeaderElector>(), sp.GetRequiredService<Maintenance.JobPruner>(),
            sp.GetRequiredService<Maintenance.JobScheduler>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobsOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobWorkerOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<JobWorker>>()));
        Services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        return this;
    }

    /// <summary>
    /// Prunes finished jobs (completed, failed, cancelled) older than <paramref name="retention"/>, every
    /// <paramref name="interval"/>, on the maintenance leader only (sets <see cref="JobWorkerOptions.Retention"/> and
    /// <see cref="JobWorkerOptions.PruneInterval"/>). Where a worker runs, its leader election decides; in a host without one
    /// (an API-only service), this host takes part in the election itself, without registering as a worker node.
    /// </summary>
    public LeoraJobsBuilder AddPruning(TimeSpan retention, TimeSpan interval)
    {
        if (retention <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(retention), retention, "The retention must be positive.");
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");
        Services.Configure<JobWorkerOptions>(o =>
        {
            o.Retention = retention;
            o.PruneInterval = interval;
        });
        AddLeaderServices();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, Maintenance.LeaderMaintenance>());
        return this;
    }

    // The leader's election, pruning and schedule evaluation, one of each per container, for whichever host runs them: the worker, or
    // LeaderMaintenance in a host without one.
    private void AddLeaderServices()
    {
        Services.TryAddSingleton(Maintenance.LeaderElector.Create);
        Services.TryAddSingleton(Maintenance.JobPruner.Create);
        Services.TryAddSingleton(Maintenance.JobScheduler.Create);
    }
}
