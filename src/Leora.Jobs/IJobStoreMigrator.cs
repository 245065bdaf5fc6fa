namespace Leora.Jobs;

/// <summary>
/// Applies the job store's migrations and reports the schema version reached: what a host runs at start (unless
/// <see cref="JobsOptions.MigrateOnStart"/> is false) and what <c>leora-jobs migrate</c> runs. Registered by
/// <c>AddLeoraJobs</c>. To read the version without migrating, ask <see cref="IJobClient.SchemaVersionAsync"/>.
/// </summary>
public interface IJobStoreMigrator
{
    /// <summary>Applies the migrations not applied yet (safe when several nodes start at once) and returns the version reached.</summary>
    Task<JobSchemaVersion> MigrateAsync(CancellationToken cancellationToken = default);
}
