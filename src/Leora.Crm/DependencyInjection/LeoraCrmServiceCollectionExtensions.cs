using Leora.Crm;
using Leora.Crm.Claude;
using Leora.Crm.Enrichment;
using Leora.Crm.Extraction;
using Leora.Crm.Imports;
using Leora.Crm.Reports;
using Leora.Crm.Storage;
using Leora.Jobs;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the framework's namespace so that they show up without a using (STYLE.md).
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Leora CRM: its four job types, its services and the migration of its tables.</summary>
public static class LeoraCrmServiceCollectionExtensions
{
    /// <summary>
    /// Adds Leora CRM to a Leora Jobs set-up: the job types <c>image_extraction</c>, <c>customer_enrichment</c>,
    /// <c>report_generation</c> and <c>bulk_import</c>, and the CRM tables in the jobs database (SQLite or PostgreSQL:
    /// whichever store the builder uses), migrated at start. Map the endpoints with <c>MapLeoraCrmApi()</c>.
    /// </summary>
    public static LeoraJobsBuilder AddLeoraCrm(this LeoraJobsBuilder builder, Action<CrmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<CrmOptions>()
            .Configure(o => o.AnthropicApiKey ??= Environment.GetEnvironmentVariable(CrmOptions.ApiKeyEnvironmentVariable))
            .Configure(o => configure?.Invoke(o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CrmOptions>, CrmOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CrmDatabase>(sp => CreateDatabase(sp.GetRequiredService<IJobStore>()));
        services.TryAddSingleton<CrmStore>();
        services.TryAddSingleton<CrmFileStore>();
        services.TryAddSingleton<ClaudeClient>();
        services.TryAddSingleton<ImageFetcher>();
        services.TryAddSingleton<CrmCommands>();
        services.TryAddSingleton<ICrmMigrator, CrmMigrator>();
        services.AddHostedService<CrmMigrationService>();

        builder.AddJob<ImageExtractionArgs, ImageExtractionHandler>(o => { o.MaxAttempts = 5; o.Timeout = TimeSpan.FromMinutes(3); });
        builder.AddJob<CustomerEnrichmentArgs, CustomerEnrichmentHandler>(o => { o.MaxAttempts = 5; o.Timeout = TimeSpan.FromMinutes(3); });
        builder.AddJob<ReportGenerationArgs, ReportGenerationHandler>(o => o.MaxAttempts = 3);
        builder.AddJob<BulkImportArgs, BulkImportHandler>(o => o.MaxAttempts = 5);
        return builder;
    }

    // The CRM's SQL is written per database (CrmSql), so it picks its dialect by the store's provider name; connections
    // and the schema come through the store seam, never from a concrete store type.
    private static CrmDatabase CreateDatabase(IJobStore store) => store.Provider switch
    {
        "sqlite" => new SqliteCrmDatabase(store),
        "postgresql" => new PostgreSqlCrmDatabase(store),
        _ => throw new InvalidOperationException(
            $"Leora CRM supports the SQLite and PostgreSQL stores; the jobs store is {store.GetType().Name} ({store.Provider})."),
    };
}
