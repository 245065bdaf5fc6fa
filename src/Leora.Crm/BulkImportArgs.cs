using Leora.Jobs;

namespace Leora.Crm;

/// <summary>Payload of <c>bulk_import</c>: import the customers of the file of import <see cref="ImportId"/>.</summary>
public sealed record BulkImportArgs(long ImportId) : IJobArgs
{
    public static string Kind => "bulk_import";
}
