using Leora.Jobs.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of the jobs HTTP API.</summary>
public static class AddLeoraJobsApiExtensions
{
    /// <summary>
    /// Adds what <c>MapLeoraJobsApi()</c> needs: the API-key authentication scheme and the <see cref="LeoraJobsApiDefaults.Policy"/>
    /// policy, problem details, the key ring (<c>JOB_PROCESSOR_API_KEY</c>, <c>Jobs:ApiKeys</c>), and
    /// <see cref="LeoraJobsApiOptions"/> bound from configuration (<c>Jobs:Api</c>, <c>Jobs:Retention</c>) and then
    /// <paramref name="configure"/>, validated at start.
    /// </summary>
    public static IServiceCollection AddLeoraJobsApi(this IServiceCollection services, Action<LeoraJobsApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LeoraJobsApiOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            if (sp.GetService<IConfiguration>() is { } config) Bind(o, config);
        });
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LeoraJobsApiOptions>, LeoraJobsApiOptionsValidator>());
        // Re-bound when configuration reloads, as the key ring is re-read.
        services.AddSingleton<IOptionsChangeTokenSource<LeoraJobsApiOptions>>(sp =>
            new ConfigurationChangeTokenSource<LeoraJobsApiOptions>(sp.GetService<IConfiguration>() ?? new ConfigurationBuilder().Build()));

        services.AddProblemDetails();
        // A full disk answers 507 with a clear problem, not a bare 500 (where the host uses UseExceptionHandler()).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, StoreFullExceptionHandler>());
        // A database that cannot be reached for a moment (a restart, a failover) answers 503 with Retry-After.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, StoreUnavailableExceptionHandler>());
        services.AddLeoraJobsApiKeyRing();
        // The payload schemas of the registered job types (GET /types, the OpenAPI document's enqueue bodies).
        services.TryAddSingleton<JobPayloadSchemas>();
        services.AddHostedService<ApiKeyStartupCheck>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(LeoraJobsApiDefaults.AuthenticationScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(LeoraJobsApiDefaults.Policy, p => p
                .AddAuthenticationSchemes(LeoraJobsApiDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());
        return services;
    }

    /// <summary>The key ring shared by the HTTP API and the dashboard: one per container, whichever registers it first.</summary>
    internal static IServiceCollection AddLeoraJobsApiKeyRing(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ApiKeyRing(sp.GetService<IConfiguration>()));
        return services;
    }

    private static void Bind(LeoraJobsApiOptions o, IConfiguration config)
    {
        // The keys are the key ring's; the cleanup age is Jobs:Retention's.
        ConfigurationBinding.Bind(config, "Jobs:Api", o, nameof(LeoraJobsApiOptions.ApiKeys), nameof(LeoraJobsApiOptions.DefaultCleanupAge));
        TimeSpan? retention;
        try
        {
            retention = RetentionSetting.Read(config);
        }
        catch (FormatException ex)
        {
            throw new OptionsValidationException(RetentionSetting.Key, typeof(LeoraJobsApiOptions), [ex.Message]);
        }
        // With retention off, cleanup without an age still uses the default age, as the command line's cleanup does.
        o.DefaultCleanupAge = retention ?? RetentionSetting.Default;
    }
}
