namespace Leora.Jobs.AspNetCore;

/// <summary>A page of jobs, newest first. Pass <see cref="NextCursor"/> as <c>cursor</c> for the next page; null on the last.</summary>
public sealed record JobListResponse(IReadOnlyList<JobResponse> Items, string? NextCursor);
