namespace Leora.Crm.Http;

/// <summary>The body of <c>POST /api/reports</c>.</summary>
internal sealed record ReportRequest(string? Type, string? Format);
