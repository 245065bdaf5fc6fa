namespace Leora.Jobs.AspNetCore;

/// <summary>The answer of <c>GET /api/jobs/process</c>: what a batch call would find.</summary>
/// <param name="Pending">Pending jobs due now.</param>
/// <param name="Scheduled">Pending jobs scheduled for later (or waiting to retry).</param>
/// <param name="Processing">Jobs running now.</param>
/// <param name="OldestDuePendingAgeSeconds">How long the oldest due job has waited; null when none is due.</param>
/// <param name="Jobs">The due jobs, oldest first, at most <c>limit</c>.</param>
public sealed record QueueStatusResponse(long Pending, long Scheduled, long Processing, double? OldestDuePendingAgeSeconds, IReadOnlyList<JobResponse> Jobs);
