using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// Applies the store's migrations: when the host starts (unless <see cref="JobsOptions.MigrateOnStart"/> is false),
/// before any worker claims, and on request (<see cref="IJobStoreMigrator"/>, the CLI's <c>migrate</c>).
/// </summary>
internal sealed class JobStoreMigrator(IJobStore store, IOptions<JobsOptions> options, JobTypeRegistry registry, ILogger<JobStoreMigrator> logger)
    : IHostedService, IJobStoreMigrator
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Value.Validate();
        _ = registry.Kinds; // resolving the registry fails fast on a duplicate kind
        if (!options.Value.MigrateOnStart) return;
        await MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<JobSchemaVersion> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await store.MigrateAsync(cancellationToken);
        var version = await JobSchemaVersion.ReadAsync(store, cancellationToken);
        Log.Migrated(logger, version.Provider, version.Applied);
        return version;
    }
}
