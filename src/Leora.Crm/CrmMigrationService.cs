using Leora.Crm.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Crm;

/// <summary>Migrates the CRM tables when the host starts (unless <see cref="CrmOptions.MigrateOnStart"/> is false).</summary>
internal sealed class CrmMigrationService(CrmDatabase db, ICrmMigrator migrator, IOptions<CrmOptions> options, ILogger<CrmMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStart) return;
        await migrator.MigrateAsync(cancellationToken);
        Log.Migrated(logger, db.Provider);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
