namespace Leora.Jobs.AspNetCore;

/// <summary>The body of <c>POST /api/jobs/{id}/attempts/{attempt}/progress</c>: a deferred attempt's progress, which also extends its deadline.</summary>
/// <param name="Progress">How far the work is, 0–100.</param>
/// <param name="Message">What it is doing, optional.</param>
internal sealed record CallbackProgressRequest(double? Progress = null, string? Message = null);
