namespace Leora.Jobs;

/// <summary>
/// Thrown at start-up (and by a migration) when the database's job schema is newer than this build knows: a newer
/// release has migrated it, and this one could misread or corrupt what the newer one writes. Upgrade this node.
/// </summary>
public sealed class JobSchemaTooNewException : Exception
{
    public JobSchemaTooNewException() { }
    public JobSchemaTooNewException(string message) : base(message) { }
    public JobSchemaTooNewException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The exception for a <paramref name="provider"/> database at schema version <paramref name="applied"/> met by a build that knows up to <paramref name="known"/>.</summary>
    internal static JobSchemaTooNewException For(string provider, int applied, int known) => new(
        $"The {provider} database's job schema is version {applied}; this build of Leora Jobs knows up to version {known}. " +
        "A newer release has migrated it: upgrade leora-jobs (or the Leora.Jobs packages) on this node before it works on this database.");
}
