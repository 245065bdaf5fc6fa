namespace Leora.Jobs;

/// <summary>
/// The payload of a job type. <see cref="Kind"/> is the job type's stable name, stored with every job:
/// renaming the C# type never orphans queued jobs.
/// </summary>
/// <example><code>public sealed record BulkImportArgs(Guid ImportId) : IJobArgs { public static string Kind => "bulk_import"; }</code></example>
public interface IJobArgs
{
    /// <summary>The job type's stable name, for example <c>image_extraction</c>.</summary>
    static abstract string Kind { get; }
}
