namespace Leora.Jobs.AspNetCore;

/// <summary>The body of <c>POST /api/jobs/{id}/attempts/{attempt}/fail</c>: why a deferred attempt failed.</summary>
/// <param name="Error">What went wrong, stored with the attempt.</param>
/// <param name="Retry">True: retried with the type's backoff while attempts remain; false: failed for good. Defaults to true.</param>
internal sealed record CallbackFailRequest(string? Error = null, bool? Retry = null);
