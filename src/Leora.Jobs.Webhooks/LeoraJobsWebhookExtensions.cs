using Leora.Jobs;
using Leora.Jobs.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the built-in <c>webhook</c> job type.</summary>
public static class LeoraJobsWebhookExtensions
{
    /// <summary>
    /// Adds the <c>webhook</c> job type (payload <see cref="WebhookArgs"/>), with its SSRF guard configured by
    /// <paramref name="configure"/> (for example <see cref="WebhookOptions.AllowedHosts"/>).
    /// </summary>
    public static LeoraJobsBuilder AddWebhookJob(this LeoraJobsBuilder builder, Action<WebhookOptions>? configure = null, Action<JobTypeOptions>? job = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<WebhookOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());
        builder.Services.TryAddSingleton<WebhookHttp>();
        return builder.AddJob<WebhookArgs, WebhookJobHandler>(o =>
        {
            o.MaxAttempts = 5;
            job?.Invoke(o);
        });
    }
}
