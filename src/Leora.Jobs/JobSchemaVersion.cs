namespace Leora.Jobs;

/// <summary>Where the jobs database's schema stands: the highest migration applied, and the highest this build knows.</summary>
/// <param name="Applied">The highest migration applied (0 for a database never migrated).</param>
/// <param name="Latest">The highest migration the store of this build ships.</param>
public readonly record struct JobSchemaVersion(int Applied, int Latest)
{
    /// <summary>True when every migration this build knows is applied.</summary>
    public bool IsCurrent => Applied >= Latest;
}
