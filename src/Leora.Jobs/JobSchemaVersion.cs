namespace Leora.Jobs;

/// <summary>A job store's schema version.</summary>
/// <param name="Provider">The store, such as <c>sqlite</c> or <c>postgresql</c>.</param>
/// <param name="Applied">The highest migration applied.</param>
/// <param name="Latest">The highest migration this version of Leora Jobs knows.</param>
public sealed record JobSchemaVersion(string Provider, int Applied, int Latest)
{
    /// <summary>Whether every known migration is applied.</summary>
    public bool IsCurrent => Applied >= Latest;
}
