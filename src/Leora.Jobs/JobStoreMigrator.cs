using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>Applies the store's migrations when the host starts (unless <see cref="JobsOptions.MigrateOnStart"/> is false), before any worker claims.</summary>
internal sealed class JobStoreMigrator(IJobStore store, IOptions<JobsOptions> options, JobTypeRegistry registry, ILogger<JobStoreMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Value.Validate();
        _ = registry.Kinds; // resolving the registry fails fast on a duplicate kind
        if (!options.Value.MigrateOnStart) return;
        await store.MigrateAsync(cancellationToken);
        var (applied, _) = await store.MigrationVersionAsync(cancellationToken);
        Log.Migrated(logger, store.Provider, applied);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
