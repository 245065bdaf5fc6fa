namespace Leora.Jobs.AspNetCore;

/// <summary>The body of <c>POST /api/jobs/bulk</c>: 1–1000 jobs, each as the body of <c>POST /api/jobs</c>. Unknown fields are refused.</summary>
/// <param name="Jobs">The jobs, each with its own type, payload and options (its own idempotency key included).</param>
public sealed record BulkEnqueueRequest(IReadOnlyList<EnqueueRequest> Jobs);

/// <summary>The answer of <c>POST /api/jobs/bulk</c>: one item per job, in request order.</summary>
/// <param name="Jobs">Each job's id, and whether its idempotency key found an existing job instead of enqueueing a new one.</param>
/// <param name="Created">How many jobs were enqueued.</param>
/// <param name="Existing">How many idempotency keys found an existing job (nothing new enqueued for them).</param>
public sealed record BulkEnqueueResponse(IReadOnlyList<BulkEnqueueItem> Jobs, int Created, int Existing);

/// <summary>One job of a bulk enqueue's answer.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Existing">True when its idempotency key was taken: the id is the existing job's.</param>
public sealed record BulkEnqueueItem(long Id, bool Existing);
