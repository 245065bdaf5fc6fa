namespace Leora.Crm;

/// <summary>Applies the CRM's numbered migrations (table <c>crm_migrations</c>) to the jobs database, for hosts that migrate on demand.</summary>
public interface ICrmMigrator
{
    /// <summary>Applies the migrations not applied yet, in one transaction.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);
}
