using Leora.Jobs;

namespace Leora.Crm;

/// <summary>Payload of <c>image_extraction</c>: read the image of scan <see cref="ScanId"/> with Claude and store what it says.</summary>
public sealed record ImageExtractionArgs(long ScanId) : IJobArgs
{
    public static string Kind => "image_extraction";
}
