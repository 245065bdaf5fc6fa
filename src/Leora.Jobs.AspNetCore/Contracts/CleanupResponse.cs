namespace Leora.Jobs.AspNetCore;

/// <summary>The answer of <c>POST /api/jobs/cleanup</c>.</summary>
/// <param name="Deleted">How many finished jobs were deleted.</param>
/// <param name="OlderThanDays">The age limit used.</param>
public sealed record CleanupResponse(long Deleted, double OlderThanDays);
