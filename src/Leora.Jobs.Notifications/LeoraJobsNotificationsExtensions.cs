using Leora.Jobs;
using Leora.Jobs.Notifications;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers notifications: channels, alert rules, the built-in <c>leora.notification</c> job type and its evaluation.</summary>
public static class LeoraJobsNotificationsExtensions
{
    /// <summary>How many attempts a notification job gets: with its backoff (5 s doubling to 5 minutes), about two hours of outage.</summary>
    internal const int NotificationMaxAttempts = 30;

    /// <summary>
    /// Adds notifications configured by <paramref name="configure"/> (<see cref="NotificationOptions"/>): the
    /// <c>leora.notification</c> job type that delivers each message, the maintenance leader's evaluation every
    /// <see cref="NotificationOptions.EvaluationInterval"/>, and an evaluation after every batch of <see cref="IJobProcessor"/>.
    /// </summary>
    public static LeoraJobsBuilder AddNotifications(this LeoraJobsBuilder builder, Action<NotificationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<NotificationOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>());
        services.TryAddSingleton<NotificationChannels>();
        services.TryAddSingleton<NotificationEvaluator>();
        services.TryAddSingleton<IJobAlerts, JobAlerts>();
        services.AddHostedService<NotificationMonitor>();
        // Every batch evaluates after it has run (the core's processor, wrapped).
        services.Replace(ServiceDescriptor.Singleton<IJobProcessor>(sp => new NotifyingJobProcessor(
            LeoraJobsServiceCollectionExtensions.WithInstrumentedStore<JobProcessor>(sp),
            sp.GetRequiredService<NotificationEvaluator>(), sp.GetRequiredService<ILogger<NotifyingJobProcessor>>())));
        return builder.AddJob<NotificationArgs, NotificationJobHandler>(o =>
        {
            o.MaxAttempts = NotificationMaxAttempts;
            o.Backoff = attempt => TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, Math.Min(attempt - 1, 10))));
        });
    }
}
