using Leora.Jobs;

namespace Leora.Crm;

/// <summary>Payload of <c>report_generation</c>: build the file of report <see cref="ReportId"/>.</summary>
public sealed record ReportGenerationArgs(long ReportId) : IJobArgs
{
    public static string Kind => "report_generation";
}
