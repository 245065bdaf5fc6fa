using Leora.Crm.Storage;

namespace Leora.Crm;

/// <summary>The <see cref="ICrmMigrator"/> over the configured database.</summary>
internal sealed class CrmMigrator(CrmDatabase db, TimeProvider time) : ICrmMigrator
{
    public Task MigrateAsync(CancellationToken cancellationToken = default) => db.MigrateAsync(time.GetUtcNow(), cancellationToken);
}
