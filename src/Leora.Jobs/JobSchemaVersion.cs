using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>Where a job store's schema stands: the highest migration applied, and the highest this build knows.</summary>
/// <param name="Provider">The store, such as <c>sqlite</c> or <c>postgresql</c>.</param>
/// <param name="Applied">The highest migration applied (0 for a database never migrated).</param>
/// <param name="Latest">The highest migration the store of this build ships.</param>
public sealed record JobSchemaVersion(string Provider, int Applied, int Latest)
{
    /// <summary>True when every migration this build knows is applied.</summary>
    public bool IsCurrent => Applied >= Latest;

    /// <summary>Asks <paramref name="store"/> which migration it is at (a round trip).</summary>
    internal static async Task<JobSchemaVersion> ReadAsync(IJobStore store, CancellationToken cancellationToken)
    {
        var (applied, latest) = await store.MigrationVersionAsync(cancellationToken);
        return new JobSchemaVersion(store.Provider, applied, latest);
    }
}
