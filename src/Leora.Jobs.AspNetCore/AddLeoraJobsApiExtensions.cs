using System.Globalization;
using Leora.Jobs.AspNetCore;
using Microsoft.AspNetCore.Authentication;
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
    /// policy, problem details, and <see cref="LeoraJobsApiOptions"/> read from configuration (<c>JOB_PROCESSOR_API_KEY</c>,
    /// <c>Jobs:ApiKeys</c>, <c>Jobs:Api:MaxRequestBodyBytes</c>, <c>Jobs:Retention</c>) and then <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddLeoraJobsApi(this IServiceCollection services, Action<LeoraJobsApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LeoraJobsApiOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            if (sp.GetService<IConfiguration>() is { } config) ReadConfiguration(o, config);
        });
        if (configure is not null) options.Configure(configure);
        options.Validate(o => { o.Validate(); return true; });
        services.AddSingleton<IOptionsChangeTokenSource<LeoraJobsApiOptions>>(sp =>
            new ConfigurationChangeTokenSource<LeoraJobsApiOptions>(sp.GetService<IConfiguration>() ?? new ConfigurationBuilder().Build()));

        services.AddProblemDetails();
        services.TryAddSingleton<ApiKeyRing>();
        services.AddHostedService<ApiKeyStartupCheck>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(LeoraJobsApiDefaults.AuthenticationScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(LeoraJobsApiDefaults.Policy, p => p
                .AddAuthenticationSchemes(LeoraJobsApiDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());
        return services;
    }

    private static void ReadConfiguration(LeoraJobsApiOptions o, IConfiguration config)
    {
        // JOB_PROCESSOR_API_KEY is the name the original design used; Jobs:ApiKeys holds several for rotation.
        if (config["JOB_PROCESSOR_API_KEY"] is { Length: > 0 } single) o.ApiKeys.Add(single.Trim());
        var list = config.GetSection("Jobs:ApiKeys");
        if (list.Value is { Length: > 0 } joined)
            foreach (var key in joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) o.ApiKeys.Add(key);
        foreach (var child in list.GetChildren())
            if (child.Value is { Length: > 0 } key) o.ApiKeys.Add(key.Trim());
        if (config["Jobs:Api:MaxRequestBodyBytes"] is { Length: > 0 } max)
            o.MaxRequestBodyBytes = long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m
                : throw new InvalidOperationException($"Jobs:Api:MaxRequestBodyBytes '{max}' is not a whole number of bytes.");
        if (config["Jobs:Retention"] is { Length: > 0 } retention)
            o.DefaultCleanupAge = DurationText.Parse(retention, "Jobs:Retention");
    }
}
