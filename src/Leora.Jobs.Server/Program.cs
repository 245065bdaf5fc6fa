// leora-jobs: the Leora Jobs service and its command-line tool, in one executable. Without a verb it serves
// (HTTP API + built-in worker); `leora-jobs --help` lists the verbs (docs/cli.md).
return await Leora.Jobs.Server.Cli.RunAsync(args);

/// <summary>
/// The service's modules: what <c>leora-jobs serve</c> registers and mounts. Another module (the dashboard,
/// the CRM handlers) is one line in <see cref="AddModules"/> and one in <see cref="MapModules"/>.
/// </summary>
public partial class Program
{
    /// <summary>Registers the modules' services. Job types and stores are registered before this (<c>JobsServices</c>).</summary>
    internal static void AddModules(WebApplicationBuilder builder)
    {
        builder.Services.AddLeoraJobsApi();
        builder.Services.AddLeoraJobsDashboard();
        // Jobs:Dashboard tunes the dashboard (docs/configuration.md). Its keys are the key ring's, read on every request
        // (bound here they would outlive a rotation); serve has no host sign-in for the two policies to name.
        builder.Services.AddOptions<Leora.Jobs.Dashboard.JobsDashboardOptions>().Configure(o => Leora.Jobs.AspNetCore.ConfigurationBinding.Bind(
            builder.Configuration, "Jobs:Dashboard", o, nameof(o.ApiKeys), nameof(o.ReadOnlyKeys), nameof(o.AuthorizationPolicy), nameof(o.ActionPolicy)));
    }

    /// <summary>Mounts the modules' endpoints. The prefixes are the service's, not the libraries'.</summary>
    internal static void MapModules(WebApplication app)
    {
        app.MapGroup("/api/jobs").MapLeoraJobsApi();
        app.MapGroup("/api/batches").MapLeoraJobsBatchesApi();
        app.MapGroup("/health").MapLeoraJobsHealth();
        app.MapLeoraJobsDashboard("/jobs");
        // The CRM endpoints take the same API keys as the jobs API.
        app.MapLeoraCrmApi("/api").RequireAuthorization(Leora.Jobs.AspNetCore.LeoraJobsApiDefaults.Policy);
    }
}
