using Leora.Jobs;
using Leora.Jobs.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers HTTP job types: job types whose handler is an HTTP endpoint (docs/http-job-types.md).</summary>
public static class LeoraJobsHttpJobExtensions
{
    /// <summary>
    /// Adds the job type <paramref name="type"/>, whose attempts are signed POSTs to <see cref="HttpJobTypeOptions.Url"/>
    /// through the webhook job's SSRF guard (<see cref="WebhookOptions.AllowedHosts"/>). The settings are checked now:
    /// <see cref="ArgumentException"/> names the one at fault; <see cref="DuplicateJobTypeException"/> for a type added twice.
    /// A 202-deferred attempt reports through the callback routes that <c>MapLeoraJobsApi()</c> maps.
    /// </summary>
    public static LeoraJobsBuilder AddHttpJobType(this LeoraJobsBuilder builder, string type, Action<HttpJobTypeOptions> configure) =>
        AddHttpJobType(builder, type, configure, $"HTTP job type '{type}'");

    /// <summary>Adds an HTTP job type; <paramref name="source"/> names it in errors (configuration: its section).</summary>
    internal static LeoraJobsBuilder AddHttpJobType(this LeoraJobsBuilder builder, string type, Action<HttpJobTypeOptions> configure, string source)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new HttpJobTypeOptions();
        configure(options);
        var http = HttpJobType.Create(type, options, source);
        var settings = new JobTypeOptions { MaxAttempts = options.MaxAttempts, Queue = options.Queue };

        // The guarded client is the webhook job's (one SSRF guard, one allow-list: Jobs:Webhook:AllowedHosts).
        var webhook = builder.Services.AddOptions<WebhookOptions>();
        webhook.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());
        builder.Services.TryAddSingleton<WebhookHttp>();
        builder.Services.AddOptions<HttpJobOptions>();
        builder.Services.TryAddSingleton<HttpJobRunner>();
        if (http.Schema is not null) builder.Services.AddSingleton<IJobPayloadSchemaSource>(new HttpJobPayloadSchemaSource(http));
        return builder.AddJobType(new JobTypeDescriptor(type, typeof(System.Text.Json.JsonElement), typeof(HttpJobRunner), settings,
            (services, attempt, ct) => services.GetRequiredService<HttpJobRunner>().RunAsync(http, attempt, ct),
            http.Bind)
        {
            Deferral = new JobDeferral(http.CallbackKey, http.CompletionTimeout),
        });
    }
}
