using Leora.Jobs.Dashboard;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Leora Jobs dashboard's services.</summary>
public static class LeoraJobsDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services of the Leora Jobs dashboard (sign-in, anti-forgery, assets). Needs <c>AddLeoraJobs()</c> with a
    /// store; mount the pages with <c>MapLeoraJobsDashboard("/jobs")</c>. Signed-out sessions are remembered in the
    /// host's <c>IDistributedCache</c>: an in-memory one (this process only) unless the host registered a shared one.
    /// </summary>
    public static IServiceCollection AddLeoraJobsDashboard(this IServiceCollection services, Action<JobsDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<JobsDashboardOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobsDashboardOptions>, JobsDashboardOptionsValidator>());
        services.AddAntiforgery();
        services.AddDataProtection();
        services.AddAuthorization();
        services.TryAddSingleton(TimeProvider.System);
        // Adds the in-memory cache only when the host registered no IDistributedCache of its own.
        services.AddDistributedMemoryCache();
        // The same key ring as the HTTP API's (AddLeoraJobsApi registers it too; the first registration wins).
        services.AddLeoraJobsApiKeyRing();
        services.TryAddSingleton<DashboardKeys>();
        services.TryAddSingleton<DashboardSessionRevocations>();
        services.TryAddSingleton<DashboardAuth>();
        services.TryAddSingleton<SignInThrottle>();
        services.TryAddSingleton<DashboardAssets>();
        services.TryAddSingleton<DashboardHealth>();
        services.TryAddSingleton<DashboardNodes>();
        return services;
    }
}
